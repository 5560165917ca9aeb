"""The comment services against the database: trust, confirmation, spam, moderation and the
verified-buyer lookup (one query for any number of comments)."""

import pytest
from django.core import mail

from article_comments import services, tokens
from article_comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory, article_selling, order_for

# The store's email backend: the emails leave once the transaction commits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued_email")]
Status = Comment.Status


def test_guest_comment_is_unconfirmed_and_mails_a_link(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        posted = services.post_comment(article=article, body="Hi", name="Dana", email="DANA@example.com")
    assert posted.outcome == "confirm-email"
    assert (posted.comment.status, posted.comment.email) == (Status.UNCONFIRMED, "dana@example.com")
    assert len(mail.outbox) == 1 and "/comments/confirm/" in mail.outbox[0].body


def test_email_is_not_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.post_comment(article=article, body="Hi", name="Dana", email="dana@example.com")
    assert mail.outbox == []  # nothing is sent before the commit, so nothing for a rollback
    for callback in callbacks:  # the commit
        callback()
    assert len(mail.outbox) == 1


def test_trust_needs_an_earlier_approved_comment_by_the_same_author(customer, django_user_model, settings):
    article = ArticleFactory()
    assert services.post_comment(article=article, body="1", user=customer).outcome == "pending"
    CommentFactory(article=article, user=customer, status=Status.REJECTED)
    assert services.post_comment(article=article, body="2", user=customer).outcome == "pending"
    CommentFactory(article=article, email=customer.email)  # a guest with the same (unverified) address
    assert services.post_comment(article=article, body="3", user=customer).outcome == "pending"
    CommentFactory(article=article, user=customer)
    assert services.post_comment(article=article, body="4", user=customer).outcome == "published"
    settings.COMMENTS_TRUST_RETURNING_AUTHORS = False
    assert services.post_comment(article=article, body="5", user=customer).outcome == "pending"


def test_confirming_publishes_a_returning_email_and_works_once(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    first = services.post_comment(article=article, body="First", name="Dana", email="dana@example.com").comment
    token = tokens.confirmation_token(first)
    assert services.confirm_guest_comment(token).outcome == "pending"
    with pytest.raises(services.LinkError) as used:
        services.confirm_guest_comment(token)
    assert used.value.kind == "used"
    services.moderate(first, "approve", None)

    second = services.post_comment(article=article, body="Second", name="Dana", email="dana@example.com").comment
    assert services.confirm_guest_comment(tokens.confirmation_token(second)).outcome == "published"


def test_confirmation_token_is_bound_to_the_email():
    comment = CommentFactory(status=Status.UNCONFIRMED, email="dana@example.com")
    comment.email = "mallory@example.com"
    with pytest.raises(services.LinkError) as error:
        services.check_confirmation_link(tokens.confirmation_token(comment))
    assert error.value.kind == "invalid"


def test_spam_is_kept_but_never_public(customer):
    article = ArticleFactory()
    spam = services.store_spam(article=article, body="Buy pills", reason="honeypot", user=customer)
    assert (spam.status, spam.spam_reason, spam.user, spam.email) == (Status.SPAM, "honeypot", customer, customer.email)
    assert not Comment.objects.approved().exists()


def test_staff_reply_attaches_to_the_thread_and_approves_it(staff_user, django_capture_on_commit_callbacks):
    question = CommentFactory(status=Status.PENDING)
    answer = CommentFactory(article=question.article, parent=question)
    with django_capture_on_commit_callbacks(execute=True):
        posted = services.reply_as_staff(answer, staff_user, "Thanks for asking")  # a reply to a reply
    question.refresh_from_db()
    assert posted.comment.parent == question and posted.comment.by_staff and posted.notified
    assert question.status == Status.APPROVED and question.moderated_by == staff_user
    assert [m.to for m in mail.outbox] == [[question.email]]


def test_links_in_comment_emails_start_from_site_url(staff_user, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://shop.example.com"
    article = ArticleFactory(slug="psoas")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_comment(article=article, body="Hi", name="Dana", email="dana@example.com")
    question = CommentFactory(article=article, email="lee@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_as_staff(question, staff_user, "Thanks for asking")
    confirm, reply = mail.outbox
    assert "https://shop.example.com/comments/confirm/" in confirm.body
    assert "https://shop.example.com/learn/psoas/#comment-" in reply.body
    assert reply.extra_headers["List-Unsubscribe"].startswith("<https://shop.example.com/comments/unsubscribe/")


def test_verified_buyers_in_one_query(claw, customer, django_assert_num_queries):
    article = article_selling(claw)
    order_for(claw, guest_email="Buyer@Example.com")
    order_for(claw, user=customer)
    comments = [
        CommentFactory(article=article, email="buyer@example.com"),
        CommentFactory(article=article, user=customer, email="other@example.com"),
        CommentFactory(article=article, email=customer.email),  # a guest using the buyer's address
        CommentFactory(article=article, email="nobody@example.com"),
        CommentFactory(article=article, email="buyer@example.com", by_staff=True),
    ]
    with django_assert_num_queries(1):
        verified = services.verified_buyer_ids(article, comments)
    assert verified == {comments[0].pk, comments[1].pk, comments[2].pk}
    with django_assert_num_queries(0):
        assert services.verified_buyer_ids(article, []) == set()
