"""What happens to a comment, from the moment it is posted to the staff reply. Views call these."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from oscar.core.loading import get_model

from content_pages.models import ArticleProduct

from . import conf, emails, tokens
from .models import Comment

Status = Comment.Status


class LinkError(Exception):
    """A confirmation or unsubscribe link that cannot be used; `kind` says why."""

    def __init__(self, kind, comment=None):
        super().__init__(kind)
        self.kind = kind  # "invalid", "expired" or "used"
        self.comment = comment


@dataclass(frozen=True)
class Posted:
    comment: Comment
    # "confirm-email": a guest must click the emailed link; "pending": waits for staff;
    # "published": visible now (staff, or a trusted returning author).
    outcome: str
    notified: bool = False  # the thread's author was emailed about this staff reply


def is_moderator(user):
    return bool(user and user.is_active and user.is_staff and user.has_perm("article_comments.change_comment"))


def display_name(user):
    if is_moderator(user):
        return user.get_full_name() or f"{settings.OSCAR_SHOP_NAME} team"
    return user.get_full_name() or "Customer"


def _is_returning_author(*, user=None, email=""):
    """Has this account, or this confirmed email address, had a comment approved before?"""
    if not conf.get("COMMENTS_TRUST_RETURNING_AUTHORS"):
        return False
    earlier = Comment.objects.approved().filter(by_staff=False)
    if user is not None:
        return earlier.filter(user=user).exists()
    return earlier.filter(email=email).exists()


def _approve(comment, moderator=None):
    comment.status = Status.APPROVED
    comment.moderated_at = timezone.now()
    comment.moderated_by = moderator


def post_comment(*, article, body, user=None, name="", email="", parent=None, ip_address=None):
    """A new comment or reply from the article page (or the dashboard, for staff).

    Guests must confirm their email first; signed-in customers go straight to moderation, or are
    published when they are trusted returning authors; staff are published at once."""
    if parent is not None:
        parent = parent.thread  # one level of threading: a reply to a reply joins the thread
    comment = Comment(article=article, parent=parent, body=body, ip_address=ip_address)
    if user is not None and user.is_authenticated:
        comment.user, comment.name, comment.email = user, display_name(user), user.email.lower()
        if is_moderator(user):
            comment.by_staff = True
            _approve(comment, moderator=user)
        elif _is_returning_author(user=user):
            _approve(comment)
        else:
            comment.status = Status.PENDING
    else:
        comment.name, comment.email, comment.status = name, email.lower(), Status.UNCONFIRMED
    comment.save()

    if comment.status == Status.UNCONFIRMED:
        emails.send_confirmation_request(comment)
        return Posted(comment, "confirm-email")
    notified = comment.by_staff and parent is not None and _notify_thread_author(parent, comment)
    return Posted(comment, "published" if comment.status == Status.APPROVED else "pending", notified)


def store_spam(*, article, body, reason, user=None, name="", email="", ip_address=None):
    """Keep what a spam trap caught, so staff can still rescue a real person's comment."""
    if user is not None and user.is_authenticated:
        name, email = display_name(user), user.email
    else:
        user = None
    return Comment.objects.create(
        article=article,
        user=user,
        name=name[:80],
        email=email.lower()[:254],
        body=body,
        status=Status.SPAM,
        spam_reason=reason,
        ip_address=ip_address,
    )


def check_confirmation_link(token):
    """The guest's unconfirmed comment behind a link, or LinkError."""
    try:
        pk, email = tokens.read_confirmation_token(token, max_age=conf.get("COMMENTS_CONFIRM_MAX_AGE"))
    except tokens.ExpiredToken:
        raise LinkError("expired") from None
    except tokens.BadToken:
        raise LinkError("invalid") from None
    comment = Comment.objects.select_related("article").filter(pk=pk, email=email).first()
    if comment is None:
        raise LinkError("invalid")
    if comment.email_confirmed_at is not None or comment.status != Status.UNCONFIRMED:
        raise LinkError("used", comment)
    return comment


@transaction.atomic
def confirm_guest_comment(token):
    """The guest clicked the emailed link: the comment goes to moderation, or is published when
    this email address already has an approved comment. A link works once."""
    comment = check_confirmation_link(token)
    comment = Comment.objects.select_for_update().select_related("article").get(pk=comment.pk)
    if comment.status != Status.UNCONFIRMED:  # a double click raced us here
        raise LinkError("used", comment)
    comment.email_confirmed_at = timezone.now()
    if _is_returning_author(email=comment.email):
        _approve(comment)
    else:
        comment.status = Status.PENDING
    comment.save(update_fields=["email_confirmed_at", "status", "moderated_at", "moderated_by"])
    return Posted(comment, "published" if comment.status == Status.APPROVED else "pending")


MODERATION_ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED, "spam": Status.SPAM}


def moderate(comment, action, moderator):
    comment.status = MODERATION_ACTIONS[action]
    comment.moderated_at = timezone.now()
    comment.moderated_by = moderator
    comment.save(update_fields=["status", "moderated_at", "moderated_by"])
    return comment


def can_reply(comment):
    return comment.thread.status in (Status.PENDING, Status.APPROVED)


@transaction.atomic
def reply_as_staff(comment, moderator, body):
    """Staff answer a question. Answering a pending question publishes it too."""
    thread = comment.thread
    if thread.status == Status.PENDING:
        moderate(thread, "approve", moderator)
    return post_comment(article=thread.article, parent=thread, body=body, user=moderator)


def _notify_thread_author(thread, reply):
    wanted = (
        thread.notify_on_reply
        and thread.email
        and thread.status == Status.APPROVED
        and thread.email != reply.email
        and not thread.by_staff
    )
    if wanted:
        emails.send_staff_reply_notice(thread, reply)
    return bool(wanted)


def check_unsubscribe_link(token):
    """The comment whose conversation an unsubscribe link is for, or LinkError."""
    try:
        pk, email = tokens.read_unsubscribe_token(token)
    except tokens.BadToken:
        raise LinkError("invalid") from None
    comment = Comment.objects.select_related("article").filter(pk=pk, email=email).first()
    if comment is None:
        raise LinkError("invalid")
    return comment


def unsubscribe_from_thread(comment):
    """Stop staff-reply emails for one conversation."""
    comment.notify_on_reply = False
    comment.save(update_fields=["notify_on_reply"])


def verified_buyer_ids(article, comments):
    """Ids of the comments whose account or email placed an order for a product of this article.

    One query for a whole page of comments, or the article page's query count grows with them."""
    comments = [c for c in comments if not c.by_staff]
    if not comments:
        return set()
    user_ids = {c.user_id for c in comments if c.user_id}
    emails_ = {c.email for c in comments if c.email}
    Line = get_model("order", "Line")
    buyers = (
        Line.objects.filter(product_id__in=ArticleProduct.objects.filter(article=article).values("product_id"))
        .annotate(guest_email=Lower("order__guest_email"), account_email=Lower("order__user__email"))
        .filter(Q(order__user_id__in=user_ids) | Q(guest_email__in=emails_) | Q(account_email__in=emails_))
        .values_list("order__user_id", "guest_email", "account_email")
        .distinct()
    )
    buyer_users, buyer_emails = set(), set()
    for user_id, guest_email, account_email in buyers:
        buyer_users.add(user_id)
        buyer_emails.update({guest_email, account_email})
    return {c.pk for c in comments if (c.user_id and c.user_id in buyer_users) or c.email in buyer_emails}
