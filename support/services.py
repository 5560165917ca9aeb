"""What the contact form does once a message passes its checks: one email to the store's staff."""

import logging
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def send_contact_message(*, name, email, subject, subject_label, order_number, message, ip_address):
    """Email the message to settings.STORE_STAFF_EMAILS, with Reply-To the customer, through the
    store's email queue (shop.mail: delivered by the worker after the request). Every value that
    reaches a header was refused by the form if it held a line break. Returns the message sent."""
    title = f"Contact form: {subject_label}" + (f" (order {order_number})" if order_number else "") + f", from {name}"
    body = render_to_string(
        "support/emails/contact_staff.txt",
        {
            "name": name,
            "email": email,
            "subject_label": subject_label,
            "order_number": order_number,
            "message": message,
            "ip_address": ip_address or "unknown",
        },
    )
    mail = EmailMessage(
        subject=title,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(settings.STORE_STAFF_EMAILS),
        reply_to=[formataddr((name, email))],
        headers={"X-Store-Contact-Topic": subject},
    )
    if not mail.recipients():
        logger.error("A contact message about %s was not sent: settings.STORE_STAFF_EMAILS is empty", subject)
        return mail
    mail.send()
    logger.info("Contact message about %s queued for staff", subject)
    return mail
