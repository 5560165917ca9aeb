"""The demo's educational content, written for this store from the facts in the brief.

Citation markers like [1, p. 1200] are turned into links to the numbered references by
content_pages when the article is shown.
"""

from datetime import timedelta

PSOAS_ARTICLE = {
    "slug": "psoas-trigger-points",
    "title": "Psoas trigger points: anatomy, pain pattern and relief",
    "summary": "Why a tight psoas can make your low back ache after a day in a chair, where its "
    "trigger points send pain, and a gentle routine to release them at home.",
    "author": "The QL Claw team",
    "seo_description": "How psoas trigger points cause low back and front-of-thigh pain, and a "
    "two-minute routine to release them safely at home.",
    "citations": [
        {
            "authors": "Donnelly, Joseph M.",
            "title": "Travell, Simons & Simons' Myofascial Pain and Dysfunction: The Trigger Point Manual",
            "edition": "3rd ed.",
            "publisher": "Wolters Kluwer Health",
            "year": 2019,
        },
        {
            "authors": "Davies, Clair, and Amber Davies",
            "title": "The Trigger Point Therapy Workbook: Your Self-Treatment Guide for Pain Relief",
            "edition": "3rd ed.",
            "publisher": "New Harbinger Publications",
            "year": 2013,
        },
    ],
    "body": """
<h2>Introduction</h2>
<p>When people picture low back pain they think of the muscles along the spine. Yet one of the
most frequent contributors sits at the front of the body, deep behind the abdominal organs:
the psoas. Because it attaches to the lumbar spine, a psoas that is short, tight or full of
trigger points can pull on the low back from the inside.</p>
<p>Sitting is the usual culprit. In a chair the hip stays bent for hours, so the psoas rests
in a shortened position all day. Muscles kept short tend to stiffen and develop trigger points,
which is why office workers, drivers and students so often feel it.</p>

<h2>Anatomy and function</h2>
<p>The psoas major starts on the sides of the lumbar vertebrae, travels down through the pelvis
and ends on a small bony knob on the inside of the thigh bone, the lesser trochanter. With the
smaller psoas minor and the iliacus, which lines the inside of the pelvis, it forms the
<em>iliopsoas</em> group.</p>
<p>Its main job is to flex the hip: it lifts the knee toward the chest, swings the leg forward
when you run, and works hard in sit-ups and hanging leg raises.</p>
<p>It may also help hold the lumbar spine steady. Travell and Simons report a study in which the
psoas acted mostly as a stabiliser of the spine while the hip was bent between 0 and 45
degrees [1, p. 1200]. Researchers still disagree on how large this role is, so treat it as a
possibility rather than a settled fact.</p>

<h2>Referred pain pattern</h2>
<p>Trigger points are known for sending pain somewhere other than where they sit; as one
self-care workbook puts it, the source of the trouble is often not the spot that hurts
[2, p. 36]. The psoas is a good example.</p>
<p>Its trigger points typically refer pain in a vertical strip along the lumbar spine on the
same side, and sometimes to the front of the upper thigh [1, p. 1201]. So an ache beside the
spine may be coming from a muscle you cannot even touch from behind.</p>
<blockquote><p>A telltale sign: it hurts, or takes a moment, to stand up straight after you have
been sitting for a long time.</p></blockquote>

<h2>How to release psoas trigger points</h2>
<p>The psoas lies deep, so a foam roller or a massage ball rarely reaches it. A release tool
shaped for the job, such as the QL Claw, lets your body weight apply slow, steady pressure
while you stay relaxed.</p>
<h3>A two-minute routine</h3>
<ol>
<li>Place the tool on the floor. Lie face down with it under the front of your belly, a few
finger-widths to one side of the navel.</li>
<li>Breathe slowly and deeply. Let each out-breath soften the belly over the tool.</li>
<li>Rock gently from side to side, a little at a time. Keep the motion light and slow.</li>
<li>Stay one to two minutes, then change sides.</li>
</ol>
<p>Stop straight away if you feel a sharp or pulsing pain: a pulse under the tool means it is
sitting on a blood vessel, so move it a little further out.</p>
<h3>When to see a clinician instead</h3>
<p>Self-massage is for ordinary muscular aches. Get checked by a doctor or physical therapist
first if you have numbness or weakness in a leg, a fever, pain that started after a fall or an
accident, or pain that wakes you at night.</p>
""",
}

QL_ARTICLE = {
    "slug": "quadratus-lumborum-the-hip-hiker",
    "title": "The quadratus lumborum: the low-back muscle that hitches your hip",
    "summary": "A short guide to the QL, the deep muscle at the side of the low back that "
    "tightens when you stand on one leg, carry a bag on one side or sit crooked.",
    "author": "The QL Claw team",
    "published_days_ago": 9,
    "citations": [],
    "body": """
<h2>Where it is</h2>
<p>The quadratus lumborum, or QL, fills the space between the lowest rib and the top of the
pelvis on each side of the spine. You can find its outer edge by pressing in just above the
hip bone, beside the long muscles of the back.</p>
<h2>What it does</h2>
<p>It bends the trunk to the side and hitches the hip up, and on both sides together it keeps
the low back steady. It works all day when you stand with your weight on one leg or carry a
heavy bag on one shoulder.</p>
<h2>Releasing it</h2>
<p>Lie on your side with the tool just above the hip bone and roll a little toward your back
until you find the tender spot. Breathe slowly for a minute or two, then change sides. The same
safety rules apply as for the psoas: gentle pressure, and stop on sharp or pulsing pain.</p>
""",
}

VIDEOS = [
    {
        "title": "How to release the psoas",
        "url": "https://youtu.be/Qlc1Psoas01",
        "duration": timedelta(minutes=3, seconds=40),
        "description": "Placing the tool beside the navel, breathing into it and rocking slowly, "
        "then switching sides.",
    },
    {
        "title": "Psoas trigger point pain: what it feels like",
        "url": "https://www.youtube.com/watch?v=Qlc2PainPat",
        "duration": timedelta(minutes=2, seconds=15),
        "description": "Where psoas trigger points send pain, and the stiffness when you stand up "
        "after sitting.",
    },
    {
        "title": "Using the QL Claw on the psoas",
        "url": "https://www.youtube.com/watch?v=Qlc3UsingQL",
        "duration": timedelta(minutes=4, seconds=5),
        "description": "Setting up the QL Claw on the floor, finding the spot and a full two-minute "
        "routine per side.",
    },
]

# Which videos staff show beside the basket and checkout steps, by title.
PLACEMENTS = {
    "basket": ["Using the QL Claw on the psoas"],
    "payment": ["Using the QL Claw on the psoas"],
    "thank-you": ["Using the QL Claw on the psoas", "How to release the psoas"],
    "order-status": ["How to release the psoas"],
}
