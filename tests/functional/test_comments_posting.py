"""Readers post comments under an article: guests confirm by email, customers go straight to
moderation, and every refusal shows the form again with the text kept."""

import time

import pytest
from django.core import mail, signing

from article_comments import tokens
from article_comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory
from tests.fixtures.comments import backdate, comment_form, comments_section
from tests.fixtures.mail import emailed_path

# The store's email backend: the emails leave once the request's transaction commits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued_email")]
QUESTION = "Does this work for sciatica? My left leg tingles after sitting."


@pytest.fixture(autouse=True)
def _comments(settings):
    # WebTest fills a form faster than any person. (Rate-limit counters are emptied by conftest.)
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0


@pytest.fixture
def article(db):
    return ArticleFactory(title="Psoas release", slug="psoas-release")


def fill_as_guest(page, name="Dana", email="Dana@Example.com", body=QUESTION):
    form = comment_form(page)
    form["name"], form["email"], form["body"] = name, email, body
    return form


def post_as_guest(app, article, **fields):
    return fill_as_guest(app.get(article.get_absolute_url()), **fields).submit(expect_errors=True)


def test_guest_comment_waits_for_email_confirmation(django_app, article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_as_guest(django_app, article)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.name, comment.email, comment.status) == ("Dana", "dana@example.com", "unconfirmed")
    assert comment.ip_address == "127.0.0.1"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@example.com"]
    assert "Psoas release" in mail.outbox[0].subject
    page = response.follow()
    assert "check your email" in comments_section(page).text
    assert QUESTION not in comments_section(page).text


def test_behind_the_proxy_the_comment_keeps_the_shoppers_address(django_app, article, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    form = fill_as_guest(django_app.get(article.get_absolute_url()))
    form.submit(extra_environ={"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.1, 203.0.113.7"})
    assert Comment.objects.get().ip_address == "203.0.113.7"  # not the proxy's, not the forged one


def test_confirmation_link_sends_the_comment_to_moderation_once(
    django_app, article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_as_guest(django_app, article)
    link = emailed_path("dana@example.com", "/comments/confirm/")

    page = django_app.get(link)
    assert QUESTION in page.text
    assert Comment.objects.get().status == "unconfirmed"  # opening the link (a mail scanner) is not enough
    response = page.forms["confirm-comment-form"].submit()
    comment = Comment.objects.get()
    assert comment.status == "pending" and comment.email_confirmed_at is not None
    assert "awaiting moderation" in comments_section(response.follow()).text

    assert "already used" in django_app.get(link).text
    reused = page.forms["confirm-comment-form"].submit()  # the same button pressed again
    assert reused.status_code == 200 and "already used" in reused.text
    Comment.objects.filter(pk=comment.pk).update(status="rejected")
    assert "already used" in django_app.get(link).text  # a moderated comment cannot be re-queued
    assert Comment.objects.get().status == "rejected"


def test_tampered_confirmation_link_is_refused(django_app, article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_as_guest(django_app, article)
    link = emailed_path("dana@example.com", "/comments/confirm/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    rest = token.split(":", 1)[1]
    forged = signing.b64_encode(b'{"c":1,"e":"mallory@example.com"}').decode() + ":" + rest
    for bad in (token[:-3] + "abc", forged, "nonsense"):
        response = django_app.get(f"/comments/confirm/{bad}/", expect_errors=True)
        assert response.status_code == 400
        assert "not valid" in response.text
    assert Comment.objects.get().status == "unconfirmed"


def test_expired_confirmation_link_is_refused(django_app_factory, article, settings, monkeypatch):
    comment = CommentFactory(article=article, status=Comment.Status.UNCONFIRMED)
    issued = time.time() - settings.COMMENTS_CONFIRM_MAX_AGE - 60
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: issued)
        token = tokens.confirmation_token(comment)
    app = django_app_factory(csrf_checks=False)
    for response in (
        app.get(f"/comments/confirm/{token}/", expect_errors=True),
        app.post(f"/comments/confirm/{token}/", expect_errors=True),
    ):
        assert response.status_code == 400 and "expired" in response.text
    comment.refresh_from_db()
    assert comment.status == "unconfirmed"
    fresh = tokens.confirmation_token(comment)
    assert app.post(f"/comments/confirm/{fresh}/").status_code == 302  # the same comment, a link in time


def test_returning_guest_is_published_after_confirming(django_app, article, django_capture_on_commit_callbacks):
    CommentFactory(article=article, email="dana@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        post_as_guest(django_app, article, body="Thanks, it helped!")
    django_app.get(emailed_path("dana@example.com", "/comments/confirm/")).forms["confirm-comment-form"].submit()
    assert Comment.objects.get(body="Thanks, it helped!").status == "approved"


def test_customer_posts_under_the_account_without_email_confirmation(django_app, article, customer):
    customer.first_name, customer.last_name = "Casey", "Lee"
    customer.save()
    page = django_app.get(article.get_absolute_url(), user=customer)
    form = comment_form(page)
    assert "name" not in form.fields and "email" not in form.fields
    assert "Casey Lee" in comments_section(page).text
    form["body"] = QUESTION
    response = form.submit().follow()
    comment = Comment.objects.get()
    assert (comment.user, comment.name, comment.email, comment.status) == (
        customer,
        "Casey Lee",
        "customer@example.com",
        "pending",
    )
    assert mail.outbox == []
    assert "awaiting moderation" in comments_section(response).text
    assert QUESTION not in comments_section(response).text


def test_customer_cannot_post_under_another_name(django_app, article, customer):
    form = comment_form(django_app.get(article.get_absolute_url(), user=customer))
    # The form has no name or email fields for customers; sent anyway, they are ignored.
    response = django_app.post(
        f"{article.get_absolute_url()}comments/",
        {
            "body": QUESTION,
            "name": "Admin",
            "email": "boss@qlclaw.example",
            "ts": form["ts"].value,
            "csrfmiddlewaretoken": form["csrfmiddlewaretoken"].value,
        },
        user=customer,
    )
    assert response.status_code == 302
    assert Comment.objects.values_list("name", "email").get() == ("Customer", "customer@example.com")


def test_trusted_returning_customer_is_published_directly(django_app, article, customer, settings):
    CommentFactory(article=article, user=customer, email=customer.email)
    form = comment_form(django_app.get(article.get_absolute_url(), user=customer))
    form["body"] = "Follow-up: two weeks in, much better."
    page = form.submit().follow()
    assert Comment.objects.get(body__startswith="Follow-up").status == "approved"
    assert "Follow-up: two weeks in" in comments_section(page).text

    settings.COMMENTS_TRUST_RETURNING_AUTHORS = False
    form = comment_form(django_app.get(article.get_absolute_url(), user=customer))
    form["body"] = "And another one."
    form.submit()
    assert Comment.objects.get(body="And another one.").status == "pending"


def test_reply_to_a_reply_joins_the_thread(django_app, article, customer):
    thread = CommentFactory(article=article)
    reply = CommentFactory(article=article, parent=thread)
    page = django_app.get(f"{article.get_absolute_url()}?reply_to={thread.pk}", user=customer)
    assert "Reply to" in comment_form(page).html.text
    form = comment_form(page)
    form["parent"] = str(reply.pk)  # a crafted reply to the reply
    form["body"] = "Same here."
    form.submit()
    assert Comment.objects.get(body="Same here.").parent == thread


def test_comments_are_closed_on_unpublished_articles(django_app_factory, staff_user):
    draft = ArticleFactory(status="draft")
    app = django_app_factory(csrf_checks=False)
    response = app.post(f"{draft.get_absolute_url()}comments/", {"body": QUESTION}, user=staff_user, expect_errors=True)
    assert response.status_code == 404
    assert not Comment.objects.exists()
    preview = app.get(draft.get_absolute_url(), user=staff_user)
    assert preview.status_code == 200 and "comment-form" not in preview.forms


# Anti-spam: each refusal is a 400 or 429 with a message and the reader's text still in the form.


def assert_refused(response, status, message, body=QUESTION):
    assert response.status_code == status
    section = comments_section(response)
    assert message in section.text
    assert section.select_one("textarea[name=body]").text.strip() == body


def test_honeypot_keeps_the_comment_as_spam_and_asks_again(django_app, article):
    form = fill_as_guest(django_app.get(article.get_absolute_url()))
    form["website"] = "http://cheap-pills.example"
    response = form.submit(expect_errors=True)
    assert_refused(response, 400, "only spam robots fill in")
    assert comment_form(response)["website"].value == ""  # shown empty, so a person can resend
    comment = Comment.objects.get()
    assert (comment.status, comment.spam_reason) == ("spam", "honeypot")
    assert mail.outbox == []
    assert QUESTION not in comments_section(django_app.get(article.get_absolute_url())).text


def test_too_fast_is_refused_then_accepted_after_a_few_seconds(django_app, article, settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 3
    response = fill_as_guest(django_app.get(article.get_absolute_url())).submit(expect_errors=True)
    assert_refused(response, 400, "That was quick")
    assert not Comment.objects.exists()
    form = comment_form(response)
    backdate(form, article, seconds=5)
    assert form.submit().status_code == 302
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("token", ["tampered", "old", "other-article"])
def test_bad_form_timestamp_asks_to_resubmit(django_app, article, settings, token):
    form = fill_as_guest(django_app.get(article.get_absolute_url()))
    if token == "tampered":
        form["ts"] = form["ts"].value[:-2] + "xx"
    elif token == "old":
        backdate(form, article, seconds=settings.COMMENTS_FORM_MAX_AGE + 10)
    else:
        form["ts"] = tokens.form_token(ArticleFactory(), issued_at=time.time() - 60)
    response = form.submit(expect_errors=True)
    assert_refused(response, 400, "please send it again")
    assert not Comment.objects.exists()
    assert comment_form(response).submit().status_code == 302  # the fresh timestamp works


def test_link_limit(django_app, article):
    body = "See https://a.example and www.b.example and http://c.example/x"
    assert_refused(post_as_guest(django_app, article, body=body), 400, "at most 2 links", body=body)
    # Zero-width spaces do not hide a link from the count.
    hidden = "https://a.example https://b.example h\u200bttps://c.example"
    assert post_as_guest(django_app, article, body=hidden).status_code == 400
    assert post_as_guest(django_app, article, body="Two: https://a.example, www.b.example.").status_code == 302


def test_length_limit(django_app, article):
    body = "a" * 3001
    assert_refused(post_as_guest(django_app, article, body=body), 400, "under 3000 characters", body=body)
    assert post_as_guest(django_app, article, body="a" * 3000).status_code == 302


def test_missing_fields_are_explained(django_app, article):
    response = post_as_guest(django_app, article, name="", email="not-an-email")
    assert response.status_code == 400
    section = comments_section(response)
    assert "Please enter your name" in section.text
    assert "Please enter a valid email address" in section.text
    assert QUESTION in section.select_one("textarea[name=body]").text


def test_rate_limit_per_ip(django_app, article, settings, frozen_rate_window):
    settings.COMMENTS_RATE_PER_IP = "3/h"
    for n in range(3):
        assert post_as_guest(django_app, article, email=f"r{n}@example.com").status_code == 302
    response = post_as_guest(django_app, article, email="r4@example.com")
    assert_refused(response, 429, "paused you")
    assert Comment.objects.count() == 3
    other_ip = fill_as_guest(django_app.get(article.get_absolute_url()), email="r5@example.com")
    assert other_ip.submit(extra_environ={"REMOTE_ADDR": "198.51.100.7"}).status_code == 302


def test_rate_limit_per_email(django_app, article, settings, frozen_rate_window):
    settings.COMMENTS_RATE_PER_EMAIL = "2/h"
    for n in range(2):
        form = fill_as_guest(django_app.get(article.get_absolute_url()), body=f"{QUESTION} {n}")
        assert form.submit(extra_environ={"REMOTE_ADDR": f"198.51.100.{n}"}).status_code == 302
    form = fill_as_guest(django_app.get(article.get_absolute_url()), email="DANA@example.com")
    response = form.submit(extra_environ={"REMOTE_ADDR": "198.51.100.99"}, expect_errors=True)
    assert_refused(response, 429, "paused you")
    assert Comment.objects.count() == 2


def test_reply_to_a_comment_that_is_gone_is_explained(django_app, article):
    thread = CommentFactory(article=article)
    form = fill_as_guest(django_app.get(f"{article.get_absolute_url()}?reply_to={thread.pk}"))
    thread.delete()
    assert_refused(form.submit(expect_errors=True), 400, "no longer available")
