"""The support pages' words: the saved PolicyPage, or the store's starting text when staff have
not saved one. setup_store saves the starting text once (create_missing_pages); after that the
words are the staff's. Figures (prices, delivery times, return days) are not written here: the
page templates show them from support.policy."""

from .models import PolicyPage

DEFAULTS = {
    "shipping": {
        "title": "Shipping",
        "summary": "Where we ship, how fast your QL Claw leaves the warehouse and what delivery costs.",
        "body": """
<h2>When your order leaves</h2>
<p>We pack orders ourselves, Monday to Friday. An order placed before 1 pm Eastern on a business
day usually leaves the same afternoon; later orders, and orders placed on weekends or US
holidays, leave on the next business day. The delivery times above count from the day the parcel
leaves.</p>
<h2>Where we ship</h2>
<p>We ship to addresses in the United States, including PO boxes with standard shipping. We
don't ship outside the US yet.</p>
<h2>Tracking</h2>
<p>As soon as your parcel leaves, we email you the carrier and the tracking number. You can also
follow it on your order's status page.</p>
<h2>A parcel late, lost or damaged?</h2>
<p>If tracking hasn't moved for five business days, or the box arrives damaged, write to us
through the contact form with your order number (a photo helps if something is broken). We sort
it out with the carrier and send a replacement when one is due, at no cost to you.</p>
""",
    },
    "returns": {
        "title": "Returns and refunds",
        "summary": "Try the QL Claw at home. If it isn't for you, send it back for a full refund.",
        "body": """
<h2>Unopened or used: both are fine</h2>
<p>A massage tool is only worth keeping if it works for your back, and you can only find that out
by using it. So you can return the QL Claw and its accessories unopened, or after trying them,
as long as everything is clean, undamaged and complete (tool, grip pads and bag if you bought it).</p>
<h2>How to start a return</h2>
<ol>
<li>Write to us through the contact form. Choose "Return or refund" and give your order number.</li>
<li>We reply within one business day with a prepaid return label and the address.</li>
<li>Pack the items, ideally in their original box, and drop the parcel off with the carrier.</li>
</ol>
<h2>Your refund</h2>
<p>We refund the price of the returned items to the card you paid with within three business days
of the parcel reaching us, and email you when we do. Your bank may take a few more days to show
it. The original shipping charge is refunded too when the item was faulty or we sent the wrong one.</p>
<h2>Faulty or wrong item</h2>
<p>If something arrives broken or isn't what you ordered, tell us with a photo: we send the right
item straight away and you return the other one with our label.</p>
""",
    },
    "faq": {
        "title": "Questions and answers",
        "summary": "How to use the QL Claw, who it is for, and the practical questions about orders.",
        "body": """
<h2>Using the QL Claw</h2>
<h3>How do I use it?</h3>
<p>Put it on the floor or a firm bed, lie on it and let your body weight set the pressure. For the
psoas, place it under the belly a little to the side of the navel, lie face down, breathe slowly
and rock gently. For the QL and glutes, lie on your back or side with the tool under the tight
spot. Our tutorial videos show each position.</p>
<h3>How long and how often?</h3>
<p>One or two minutes per spot is plenty, once or twice a day. More pressure or longer sessions
are not better: stop at a pressure you can breathe through calmly.</p>
<h3>Should it hurt?</h3>
<p>Expect a strong, dull pressure that eases as you breathe. Ease off at once if you feel a sharp,
burning or pulsing pain, numbness or tingling, and don't press on a pulse you can feel.</p>
<h2>Who it is for</h2>
<h3>Who is the QL Claw for?</h3>
<p>Adults who want to loosen the deep muscles of the low back and hip at home: people who sit a
lot, runners, cyclists, lifters, anyone whose hands, balls or foam roller don't reach the psoas
or QL.</p>
<h3>Who should ask a doctor first?</h3>
<p>Please talk to a doctor or physical therapist before using it if you are pregnant, have had
abdominal, hip or back surgery recently, have a hernia, an aortic aneurysm, a blood clotting
condition or take blood thinners, have osteoporosis, or if your back pain came with a fall, fever,
weight loss, numbness or trouble with bladder or bowels.</p>
<h3>Is it a medical device?</h3>
<p>No. The QL Claw is a self-massage tool. It is not meant to diagnose, treat, cure or prevent any
disease, and our articles are general education, not medical advice.</p>
<h2>Orders</h2>
<h3>Can I change or cancel my order?</h3>
<p>Write to us through the contact form as soon as you can. Until the parcel has left we can change
the address or cancel it with a full refund; after that, the return policy applies.</p>
<h3>Do you charge sales tax?</h3>
<p>Yes, where US law asks us to: checkout shows the tax for your address before you pay.</p>
""",
    },
    "about": {
        "title": "About us",
        "summary": "A small US company that makes one tool for the low back, and makes it well.",
        "body": """
<p>QL Claw started with a stubborn low back. Stretching helped for an hour, foam rollers couldn't
reach the sore spots deep in the belly and the side of the back, and tennis balls rolled away. We
wanted a tool that stays put, reaches the psoas and the quadratus lumborum, and that anyone can use
on the living-room floor in two minutes.</p>
<p>After many prototypes the QL Claw got its stable base and three rounded contact points. It is
the one product we make, with a carry bag and spare grip pads beside it.</p>
<h2>How we work</h2>
<ul>
<li>We are a small team in the United States. We pack every order ourselves.</li>
<li>The people who answer the contact form are the people who designed the tool.</li>
<li>Our articles cite their sources, and we say plainly what a massage tool can and cannot do.</li>
</ul>
""",
    },
    "contact": {
        "title": "Contact us",
        "summary": "A question about the QL Claw, an order or a return? Write to us: a person replies within one "
        "business day.",
        "body": "",
    },
}


def page(slug):
    """The saved page for `slug`, or an unsaved one with the starting text."""
    saved = PolicyPage.objects.filter(slug=slug).first()
    return saved or PolicyPage(slug=slug, **{k: v.strip() for k, v in DEFAULTS[slug].items()})


def create_missing_pages():
    """Save the starting text of every page that has none; what staff wrote stays. Returns the slugs created."""
    existing = set(PolicyPage.objects.values_list("slug", flat=True))
    created = []
    for slug, fields in DEFAULTS.items():
        if slug not in existing:
            PolicyPage.objects.create(slug=slug, **{k: v.strip() for k, v in fields.items()})
            created.append(slug)
    return created
