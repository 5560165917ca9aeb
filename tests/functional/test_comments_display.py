"""The comments under an article: what is shown, in which order, on which page, with which badges;
and that nothing a reader types becomes live markup."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from oscar.test.factories import create_product, create_stockrecord

from article_comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory, article_selling, order_for
from tests.fixtures.comments import comment_form, comments_section

pytestmark = pytest.mark.django_db


def threads_on(page):
    """The top-level comments shown, as their text, in page order."""
    return [
        li.select_one(".comment__body").text.strip()
        for li in comments_section(page).select(".comment-list > .comment-thread")
    ]


@pytest.fixture
def article_with_25(db):
    article = ArticleFactory()
    start = timezone.now() - timedelta(days=30)
    for n in range(25):
        CommentFactory(article=article, body=f"Comment {n}", created=start + timedelta(hours=n))
    CommentFactory(article=article, body="Still pending", status=Comment.Status.PENDING)
    CommentFactory(article=article, body="Rejected one", status=Comment.Status.REJECTED)
    return article


def test_pagination_and_order(django_app, article_with_25):
    url = article_with_25.get_absolute_url()
    first = django_app.get(url)
    assert threads_on(first) == [f"Comment {n}" for n in range(24, 4, -1)]  # 20, newest first
    assert "25 comments" in comments_section(first).select_one("h2").text
    assert "Page 1 of 2" in comments_section(first).text

    second = first.click(href="comments_page=2", index=0)
    assert threads_on(second) == [f"Comment {n}" for n in range(4, -1, -1)]

    oldest = django_app.get(f"{url}?comments_order=oldest")
    assert threads_on(oldest) == [f"Comment {n}" for n in range(20)]
    assert threads_on(django_app.get(f"{url}?comments_order=oldest&comments_page=2")) == [
        f"Comment {n}" for n in range(20, 25)
    ]
    assert threads_on(django_app.get(f"{url}?comments_page=abc")) == threads_on(first)
    assert threads_on(django_app.get(f"{url}?comments_page=99&comments_order=bogus")) == threads_on(second)
    assert "Still pending" not in first.text and "Rejected one" not in first.text


def test_replies_are_nested_oldest_first_and_counted(django_app):
    article = ArticleFactory()
    thread = CommentFactory(article=article, body="Question")
    CommentFactory(article=article, parent=thread, body="Second reply", created=timezone.now())
    CommentFactory(article=article, parent=thread, body="First reply", created=timezone.now() - timedelta(hours=1))
    CommentFactory(article=article, parent=thread, body="Unapproved reply", status=Comment.Status.PENDING)
    section = comments_section(django_app.get(article.get_absolute_url()))
    assert threads_on(django_app.get(article.get_absolute_url())) == ["Question"]
    replies = [r.text.strip() for r in section.select(".comment-replies .comment__body")]
    assert replies == ["First reply", "Second reply"]
    assert "3 comments" in section.select_one("h2").text


def test_reply_link_prepares_the_form_without_javascript(django_app):
    article = ArticleFactory()
    thread = CommentFactory(article=article, name="Dana")
    page = django_app.get(article.get_absolute_url())
    reply_page = page.click(href=f"reply_to={thread.pk}")
    form = comment_form(reply_page)
    assert form["parent"].value == str(thread.pk)
    assert "Reply to Dana" in reply_page.html.select_one("#comment-form-title").text


def test_verified_buyer_badge_only_for_buyers_of_the_article_product(django_app, claw, customer):
    article = article_selling(claw)
    other = create_product(title="Yoga mat")
    create_stockrecord(other, num_in_stock=5)
    order_for(claw, guest_email="Guest.Buyer@Example.com")
    order_for(claw, user=customer)
    order_for(other, guest_email="mat.buyer@example.com")
    CommentFactory(article=article, name="Guest buyer", email="guest.buyer@example.com")
    CommentFactory(article=article, name="Customer buyer", user=customer, email="changed@example.com")
    CommentFactory(article=article, name="Mat buyer", email="mat.buyer@example.com")
    CommentFactory(article=article, name="Just curious", email="curious@example.com")

    section = comments_section(django_app.get(article.get_absolute_url()))
    badges = {
        c.select_one(".comment__author").text: bool(c.select_one(".comment__badge--buyer"))
        for c in section.select(".comment")
    }
    assert badges == {"Guest buyer": True, "Customer buyer": True, "Mat buyer": False, "Just curious": False}

    elsewhere = ArticleFactory()  # an article without the QL Claw: nobody is a verified buyer there
    CommentFactory(article=elsewhere, name="Guest buyer", email="guest.buyer@example.com")
    assert not comments_section(django_app.get(elsewhere.get_absolute_url())).select(".comment__badge--buyer")


def page_queries(app, article):
    """What rendering the article costs (the whole-page cache is off; a hit costs no query)."""
    url = article.get_absolute_url()
    with override_settings(PAGE_CACHE_TIMEOUT=0):
        app.get(url)  # warm whatever the page caches
        with CaptureQueriesContext(connection) as queries:
            app.get(url)
    return len(queries)


def test_query_count_does_not_grow_with_comments(django_app, claw, customer, monkeypatch):
    # The article page caches some parts in five-minute buckets: one clock for the whole test.
    frozen = time.time()
    monkeypatch.setattr(time, "time", lambda: frozen)
    one, thirty = article_selling(claw, slug="one"), article_selling(claw, slug="thirty")
    order_for(claw, guest_email="buyer0@example.com")
    for article, count in ((one, 1), (thirty, 30)):
        for n in range(count):
            thread = CommentFactory(article=article, email=f"buyer{n}@example.com", user=customer if n == 1 else None)
            CommentFactory(article=article, parent=thread, by_staff=True, body="Staff answer")
    page = django_app.get(f"{thirty.get_absolute_url()}?comments_order=oldest")
    assert len(comments_section(page).select(".comment-list > .comment-thread")) == 20
    assert len(comments_section(page).select(".comment__badge--buyer")) == 1
    assert page_queries(django_app, one) == page_queries(django_app, thirty)


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click me</a>',
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "[x](javascript:alert(1))",
    "[docs](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data:text/html,<script>alert(1)</script>",
    "<svg/onload=alert(1)>",
    '<iframe src="https://evil.example/"></iframe>',
    '"><style>body{display:none}</style>',
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/<script>alert(1)</script>",
    "www.example.com/?a=1&b=<i>2</i>",
    "\u202egpj.exe and RTL \u202d override",
    "zero\u200bwidth <scr\u200bipt>alert(1)</scr\u200bipt> and \ufeffBOM",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e fullwidth",
    "{{ request }} {% debug %} template syntax",
]
ALLOWED_TAGS = {"p", "br", "a"}


def test_xss_corpus_renders_inert(django_app, customer, settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    settings.COMMENTS_RATE_PER_IP = settings.COMMENTS_RATE_PER_EMAIL = "1000/h"
    article = ArticleFactory()
    for body in XSS:
        form = comment_form(django_app.get(article.get_absolute_url(), user=customer))
        form["body"] = body
        assert form.submit().status_code == 302, body
    django_app.reset()  # sign out
    guest = comment_form(django_app.get(article.get_absolute_url()))
    guest["name"], guest["email"], guest["body"] = '<script>alert("name")</script>', "x@example.com", "Hi"
    assert guest.submit().status_code == 302
    Comment.objects.update(status=Comment.Status.APPROVED)

    page = django_app.get(f"{article.get_absolute_url()}?comments_order=oldest")
    section = comments_section(page)
    bodies = section.select(".comment__body")
    assert len(bodies) == len(XSS) + 1
    for body in bodies:
        assert {tag.name for tag in body.find_all(True)} <= ALLOWED_TAGS, body
    for tag in section.find_all(True):
        assert not [name for name in tag.attrs if name.lower().startswith("on")], tag
        assert tag.name not in {"script", "img", "svg", "iframe", "style", "object", "embed"}, tag
    links = [a for body in bodies for a in body.select("a")]
    assert links, "the http(s) addresses in the corpus are linked"
    for link in links:
        assert link["href"].startswith(("https://", "http://")), link
        assert "javascript" not in link["href"].lower() and "data:" not in link["href"].lower()
        assert link["rel"] == ["nofollow", "ugc", "noopener"]
        assert '"' not in link["href"] and "<" not in link["href"]
    html = str(section)
    for invisible in ("\u202e", "\u202d", "\u200b", "\ufeff"):
        assert invisible not in html
    texts = [b.text for b in bodies]
    assert "<script>alert(1)</script>" in texts  # shown as text, exactly as typed
    assert "{{ request }} {% debug %} template syntax" in texts
    assert any(t.startswith("\uff1cscript\uff1e") for t in texts)
    assert '<script>alert("name")</script>' in [a.text for a in section.select(".comment__author")]
