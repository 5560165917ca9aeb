"""Staff moderate comments in Oscar's dashboard: a queue, filters, and POST-only actions that
customers and visitors cannot reach. Staff replies email the question's author."""

import pytest
from django.core import mail
from django.urls import reverse

from article_comments.models import Comment
from tests.factories import CommentFactory
from tests.fixtures.comments import comments_section
from tests.fixtures.mail import emailed_path

# The store's email backend: the emails leave once the request's transaction commits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued_email")]
LIST = reverse("article_comments_dashboard:comments-list")


def url(name, comment):
    return reverse(f"article_comments_dashboard:comments-{name}", kwargs={"pk": comment.pk})


@pytest.fixture
def question(db):
    return CommentFactory(
        status=Comment.Status.PENDING, name="Dana", email="dana@example.com", body="Does this work for sciatica?"
    )


def row(page, comment):
    return page.html.select_one(f"#comment-{comment.pk}")


def test_queue_shows_pending_by_default_and_filters_by_status(django_app, staff_user, question):
    approved = CommentFactory(body="Great article")
    spam = CommentFactory(status=Comment.Status.SPAM, body="Cheap pills")
    page = django_app.get(LIST, user=staff_user)
    assert row(page, question) and not row(page, approved) and not row(page, spam)
    assert "Pending 1" in " ".join(page.html.select_one(".nav-tabs").text.split())
    assert row(django_app.get(f"{LIST}?status=approved", user=staff_user), approved)
    assert row(django_app.get(f"{LIST}?status=spam", user=staff_user), spam)
    menu = django_app.get(reverse("dashboard:index"), user=staff_user).html
    assert menu.select_one(f'a[href="{LIST}"]').text.strip() == "Comments"


@pytest.mark.parametrize("action, status", [("approve", "approved"), ("reject", "rejected"), ("spam", "spam")])
def test_moderation_buttons(django_app, staff_user, question, action, status):
    page = django_app.get(LIST, user=staff_user)
    form = next(
        f for f in page.forms.values() if f.action == url("moderate", question) and f'value="{action}"' in f.text
    )
    response = form.submit("action", value=action).follow()
    question.refresh_from_db()
    assert (question.status, question.moderated_by) == (status, staff_user)
    assert not row(response, question)  # gone from the pending queue
    article_page = django_app.get(question.article.get_absolute_url())
    assert ("Does this work for sciatica?" in comments_section(article_page).text) == (status == "approved")


def test_delete_removes_the_comment_and_its_replies(django_app, staff_user, question):
    CommentFactory(article=question.article, parent=question, body="A reply")
    form = next(f for f in django_app.get(LIST, user=staff_user).forms.values() if f.action == url("delete", question))
    assert "and its 1 reply" in form.submit().follow().text
    assert not Comment.objects.exists()


def test_actions_are_post_only(django_app, staff_user, question):
    for name in ("moderate", "delete"):
        assert django_app.get(url(name, question), user=staff_user, expect_errors=True).status_code == 405
    question.refresh_from_db()
    assert question.status == "pending"


@pytest.mark.parametrize("who", ["anonymous", "customer", "staff without permission"])
def test_only_staff_with_permissions_can_moderate(
    django_app_factory, customer, staff_without_permissions, question, who
):
    app = django_app_factory(csrf_checks=False)
    user = {"anonymous": None, "customer": customer, "staff without permission": staff_without_permissions}[who]
    requests = [
        ("get", LIST, {}),
        ("post", url("moderate", question), {"action": "approve"}),
        ("post", url("delete", question), {}),
        ("post", url("reply", question), {"body": "Hi"}),
    ]
    for method, target, data in requests:
        kwargs = {"user": user, "expect_errors": True}
        response = app.get(target, **kwargs) if method == "get" else app.post(target, data, **kwargs)
        if user is None:
            assert response.status_code == 302 and "login" in response.location
        else:
            assert response.status_code == 403
    question.refresh_from_db()
    assert question.status == "pending" and not question.replies.exists()


def staff_reply(app, staff_user, comment, body):
    page = app.get(url("reply", comment), user=staff_user)
    form = page.forms["staff-reply-form"]
    form["body"] = body
    return form.submit(expect_errors=True)


def test_staff_reply_is_published_under_the_question_and_emails_the_author(
    django_app, staff_user, question, django_capture_on_commit_callbacks
):
    staff_user.first_name, staff_user.last_name = "Sam", "Rivera"
    staff_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_reply(django_app, staff_user, question, "Often, yes: start gently.")
    assert "Dana will get an email" in response.follow().text
    question.refresh_from_db()
    assert question.status == "approved"  # answering a pending question publishes it
    reply = question.replies.get()
    assert (reply.status, reply.by_staff, reply.user, reply.name) == ("approved", True, staff_user, "Sam Rivera")

    section = comments_section(django_app.get(question.article.get_absolute_url()))
    staff = (
        section.select_one(f"#comment-{question.pk}").find_parent("li").select_one(".comment-replies .comment--staff")
    )
    assert "Often, yes" in staff.text and "Staff" in staff.select_one(".comment__badge--staff").text

    (message,) = mail.outbox
    assert message.to == ["dana@example.com"]
    assert "Often, yes: start gently." in message.body and "Does this work for sciatica?" in message.body
    unsubscribe = emailed_path("dana@example.com", "/comments/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe"].endswith(f"{unsubscribe}>")


def test_unsubscribing_stops_the_next_reply_email(django_app, staff_user, question, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff_reply(django_app, staff_user, question, "First answer.")
    unsubscribe = emailed_path("dana@example.com", "/comments/unsubscribe/")

    page = django_app.get(unsubscribe)  # no login needed
    question.refresh_from_db()
    assert question.notify_on_reply  # opening the page changes nothing
    assert "unsubscribed" in page.forms["unsubscribe-form"].submit().text
    question.refresh_from_db()
    assert not question.notify_on_reply

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_reply(django_app, staff_user, question, "Second answer.")
    assert "will get an email" not in response.follow().text
    assert len(mail.outbox) == 1
    assert question.replies.count() == 2

    bad = django_app.get(unsubscribe.replace("/unsubscribe/", "/unsubscribe/x"), expect_errors=True)
    assert bad.status_code == 400


def test_staff_cannot_reply_to_spam(django_app_factory, staff_user, question):
    question.status = Comment.Status.SPAM
    question.save()
    app = django_app_factory(csrf_checks=False)
    page = app.get(url("reply", question), user=staff_user)
    assert "staff-reply-form" not in page.forms
    response = app.post(url("reply", question), {"body": "Hi"}, user=staff_user, expect_errors=True)
    assert response.status_code == 400 and "approve it before replying" in response.text
    assert not question.replies.exists()


def test_empty_staff_reply_is_refused_with_a_message(django_app, staff_user, question):
    response = staff_reply(django_app, staff_user, question, "   ")
    assert response.status_code == 400 and "Please write a reply" in response.text
    assert not question.replies.exists()
