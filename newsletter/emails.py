"""Every email the newsletter sends goes through this module.

Messages are built inside the caller's transaction and sent through the store's email backend,
shop.mail.QueuedEmailBackend, which queues them only once that transaction commits (the project
runs with ATOMIC_REQUESTS): a rolled-back sign-up sends nothing. The worker delivers them, so a
failing mail server never turns a request into a 500, which would also tell a visitor that this
address took a different path.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from shop.links import absolute_url, site_domain

from . import links


def send_confirmation(subscriber):
    """The double opt-in email: one link that confirms, nothing to sell."""
    context = {
        "confirm_url": links.confirmation_url(subscriber),
        "max_age_days": settings.NEWSLETTER_CONFIRMATION_MAX_AGE // 86400,
    }
    _build(subscriber.email, "confirmation", context).send()


def send_welcome(subscriber):
    send_to_subscriber(subscriber, "welcome", {"store_url": absolute_url(reverse("home"))})


def send_to_subscriber(subscriber, template, context):
    """A list email (welcome, newsletter issues): unsubscribe link in the body and RFC 8058
    one-click headers, so mailbox providers can show their own unsubscribe button."""
    unsubscribe_url = links.unsubscribe_url(subscriber)
    message = _build(subscriber.email, template, {**context, "unsubscribe_url": unsubscribe_url})
    message.extra_headers.update(list_headers(unsubscribe_url))
    message.send()


def list_headers(unsubscribe_url):
    """The headers of every marketing message: RFC 8058 one-click unsubscribe (the URL takes a POST
    and needs no cookie or login), and a List-Id mailbox providers can group and filter on."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{settings.OSCAR_SHOP_NAME} newsletter <newsletter.{site_domain().split(':')[0]}>",
    }


def send_checkout_reminder(reminder, context):
    """The abandoned-checkout reminder: a marketing message, so it carries an opt-out (for this
    address, subscriber or not) in the body and in the one-click headers."""
    opt_out_url = links.opt_out_url(reminder.email)
    message = _build(reminder.email, "checkout_reminder", {**context, "unsubscribe_url": opt_out_url})
    message.extra_headers.update(list_headers(opt_out_url))
    message.send()


def _build(to, template, context):
    context = {
        **context,
        "shop_name": settings.OSCAR_SHOP_NAME,
        "email": to,
        "postal_address": settings.NEWSLETTER_POSTAL_ADDRESS,
    }
    subject = render_to_string(f"newsletter/emails/{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"newsletter/emails/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"newsletter/emails/{template}.html", context), "text/html")
    return message
