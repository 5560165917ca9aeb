"""Every email the comments send goes through here. The store's email backend
(shop.mail.QueuedEmailBackend) queues each one only once the database transaction commits, so a
rolled-back request never mails a link to a comment that does not exist, and the worker delivers
it: a failing mail server cannot break the comment form."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from shop.links import absolute_url

from . import conf, tokens


def _send(template, to, context, headers=None):
    subject = " ".join(render_to_string(f"article_comments/emails/{template}_subject.txt", context).split())
    body = render_to_string(f"article_comments/emails/{template}_body.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to], headers=headers).send()


def send_confirmation_request(comment):
    url = absolute_url(reverse("article_comments:confirm", kwargs={"token": tokens.confirmation_token(comment)}))
    context = {
        "comment": comment,
        "article": comment.article,
        "confirm_url": url,
        "valid_days": max(1, conf.get("COMMENTS_CONFIRM_MAX_AGE") // 86400),
        "shop_name": settings.OSCAR_SHOP_NAME,
    }
    _send("confirm", comment.email, context)


def send_staff_reply_notice(thread, reply):
    unsubscribe_url = absolute_url(
        reverse("article_comments:unsubscribe", kwargs={"token": tokens.unsubscribe_token(thread)})
    )
    context = {
        "thread": thread,
        "reply": reply,
        "article": thread.article,
        "reply_url": absolute_url(reply.get_absolute_url()),
        "unsubscribe_url": unsubscribe_url,
        "shop_name": settings.OSCAR_SHOP_NAME,
    }
    _send("staff_reply", thread.email, context, headers={"List-Unsubscribe": f"<{unsubscribe_url}>"})
