"""Email leaves the request: every message the store sends is delivered by a background worker.

EMAIL_BACKEND is QueuedEmailBackend, so Oscar's order emails, the payments, newsletter and comment
emails and anything else that calls send_mail()/EmailMessage.send() come through here. For each
message, send_messages() takes a copy as plain data and, once the current database transaction
commits (at once outside one), enqueues the huey task shop.tasks.deliver_email. The worker
(`manage.py run_huey`) rebuilds the message and hands it to EMAIL_DELIVERY_BACKEND (from
EMAIL_URL: the console in dev, SMTP in production), retrying failures. A rolled-back transaction
sends nothing, and a slow or failing mail server never holds up or breaks a request.

If the queue itself cannot be reached, the message is delivered in-process instead (logged): a
late email beats a lost order confirmation. Nothing here raises after the commit.
"""

import email
import email.message
import logging
import re
from email.mime.base import MIMEBase
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class QueuedEmailBackend(BaseEmailBackend):
    """Queue each message for the worker after the transaction commits; return how many were queued."""

    def send_messages(self, email_messages):
        queued = 0
        for message in email_messages:
            if not message.recipients():
                continue
            transaction.on_commit(partial(enqueue, message_to_data(message)))
            queued += 1
        return queued


def enqueue(data):
    """Hand one message to the worker; if the queue is down, deliver it here. Never raises."""
    from shop.tasks import deliver_email

    try:
        deliver_email(data)
        return
    except Exception:
        logger.exception("Could not queue the email %r to %s; delivering it in-process", data["subject"], data["to"])
    try:
        deliver(data)
    except Exception:
        logger.exception("Could not deliver the email %r to %s", data["subject"], data["to"])


def deliver(data):
    """Send one message (as message_to_data made it) through the real backend."""
    with get_connection(settings.EMAIL_DELIVERY_BACKEND) as connection:
        return connection.send_messages([message_from_data(data)])


def message_to_data(message):
    """An EmailMessage (or EmailMultiAlternatives) as plain, picklable values."""
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": str(message.from_email),
        "to": [str(a) for a in message.to],
        "cc": [str(a) for a in message.cc],
        "bcc": [str(a) for a in message.bcc],
        "reply_to": [str(a) for a in message.reply_to],
        "headers": {str(k): str(v) for k, v in message.extra_headers.items()},
        "alternatives": [(str(content), mimetype) for content, mimetype in getattr(message, "alternatives", [])],
        "attachments": [_attachment_to_data(a) for a in message.attachments],
        "encoding": message.encoding,
        "content_subtype": message.content_subtype,
        "mixed_subtype": message.mixed_subtype,
        "alternative_subtype": getattr(message, "alternative_subtype", "alternative"),
        "multi": isinstance(message, EmailMultiAlternatives),
    }


def message_from_data(data):
    cls = EmailMultiAlternatives if data["multi"] else EmailMessage
    message = cls(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for attachment in data["attachments"]:
        if "mime" in attachment:
            message.attach(email.message_from_bytes(attachment["mime"], _class=_ParsedMIMEPart))
        else:
            message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    message.encoding = data["encoding"]
    message.content_subtype = data["content_subtype"]
    message.mixed_subtype = data["mixed_subtype"]
    if data["multi"]:
        message.alternative_subtype = data["alternative_subtype"]
    return message


def _attachment_to_data(attachment):
    if isinstance(attachment, MIMEBase):
        return {"mime": attachment.as_bytes()}
    filename, content, mimetype = attachment
    return {"filename": filename, "content": content, "mimetype": mimetype}


class _ParsedMIMEPart(MIMEBase):
    """A MIME part read back from bytes that Django still attaches as a ready-made part."""

    def __init__(self, *, policy=None):
        email.message.Message.__init__(self, policy=policy)


# Branded emails ---------------------------------------------------------------------------------
# Every customer email has a text and an HTML part, both from the one frame in
# shop/templates/shop/emails/ (base.html: blocks title, preheader, content, footer_extra; base.txt:
# content, footer_extra). A message is three templates named like Oscar's communication emails:
#   <prefix>_subject.txt   one line
#   <prefix>_body.txt      {% extends "shop/emails/base.txt" %}
#   <prefix>_body.html     {% extends "shop/emails/base.html" %}
# render_email() renders the three; send_branded() sends them (through the queue above). Oscar's
# own emails (order placed, registration, password reset/changed, the fulfilment steps) follow the
# same names under oscar/communication/emails/commtype_<code>_* and are sent by Oscar's dispatcher.


def render_email(template_prefix, context=None):
    """(subject, text, html) from <prefix>_subject.txt, <prefix>_body.txt and <prefix>_body.html."""
    context = dict(context or {})
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    text = _tidy_text(render_to_string(f"{template_prefix}_body.txt", context))
    html = render_to_string(f"{template_prefix}_body.html", context)
    return subject, text, html


def send_branded(template_prefix, context, to, *, from_email=None, headers=None, reply_to=None):
    """Render a branded email (render_email) and send it with its HTML alternative; returns the message."""
    subject, text, html = render_email(template_prefix, context)
    message = EmailMultiAlternatives(
        subject,
        text,
        from_email=from_email or settings.OSCAR_FROM_EMAIL,
        to=[to] if isinstance(to, str) else list(to),
        headers=headers,
        reply_to=reply_to,
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return message


def _tidy_text(text):
    """Template tags leave blank lines behind; keep at most one empty line between paragraphs."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"
