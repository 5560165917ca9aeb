"""One reminder for a checkout left on the payment page.

The checkout writes a CheckoutPayment row when the payment page is shown (email, basket) and
records the marketing box when the shopper presses Pay. A row still pending (or canceled by the
sweep, which gives the basket back) NEWSLETTER_CHECKOUT_REMINDER_DELAY after it was made, and no
older than NEWSLETTER_CHECKOUT_REMINDER_MAX_AGE, may earn its basket one reminder, unless:

- the basket was ordered, or any payment for it went through (placed, or paid and refunded);
- that address placed an order since (with another basket);
- the shopper did not tick the marketing box (unless NEWSLETTER_REMIND_ALL_CHECKOUTS: docs/newsletter.md
  says when that is lawful);
- the address unsubscribed from the newsletter or is suppressed (bounce, complaint, opt-out);
- the basket already had a reminder (a unique row per basket, inserted before the email is
  queued, in the same transaction: two workers at once send one).

The email lists the basket's lines, links back to them (a signed link to restore_basket()), shows
the tutorial video staff chose for the basket page and carries an opt-out link.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from oscar.core.loading import get_class, get_model
from oscar.templatetags.currency_filters import currency

from checkout.models import CheckoutPayment
from content_pages.models import VideoPlacement

from . import emails, links
from .models import CheckoutReminder, Subscriber, Suppression
from .rendering import media_url, video_card

logger = logging.getLogger(__name__)

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
Selector = get_class("partner.strategy", "Selector")

PAID_STATUSES = (CheckoutPayment.PLACED, CheckoutPayment.REFUNDING, CheckoutPayment.REFUNDED)
UNPAID_STATUSES = (CheckoutPayment.PENDING, CheckoutPayment.CANCELED)


def candidates(now=None):
    """The newest unpaid payment row of each basket that is due a reminder, before the per-address checks."""
    now = now or timezone.now()
    delay = timedelta(seconds=settings.NEWSLETTER_CHECKOUT_REMINDER_DELAY)
    max_age = timedelta(seconds=settings.NEWSLETTER_CHECKOUT_REMINDER_MAX_AGE)
    rows = CheckoutPayment.objects.filter(
        status__in=UNPAID_STATUSES, date_created__lte=now - delay, date_created__gte=now - max_age
    ).exclude(email="")
    if not settings.NEWSLETTER_REMIND_ALL_CHECKOUTS:
        rows = rows.filter(newsletter_opt_in=True)
    paid = CheckoutPayment.objects.filter(basket_id=OuterRef("basket_id"), status__in=PAID_STATUSES)
    newer = CheckoutPayment.objects.filter(basket_id=OuterRef("basket_id"), date_created__gt=OuterRef("date_created"))
    reminded = CheckoutReminder.objects.filter(basket_id=OuterRef("basket_id"))
    return (
        rows.exclude(basket__status=Basket.SUBMITTED)
        .alias(paid=Exists(paid), newer=Exists(newer), reminded=Exists(reminded))
        .filter(paid=False, newer=False, reminded=False)
        .order_by("date_created")
    )


def why_not(payment):
    """The reason this checkout gets no reminder, or "" if it may get one (the address-level rules)."""
    email = payment.email
    if Suppression.objects.for_email(email).exists():
        return "suppressed"
    if Subscriber.objects.with_email(email).filter(status=Subscriber.Status.UNSUBSCRIBED).exists():
        return "unsubscribed"
    ordered_since = Order.objects.filter(
        Q(guest_email__iexact=email) | Q(user__email__iexact=email), date_placed__gte=payment.date_created
    )
    if ordered_since.exists():
        return "ordered"
    if not payment.basket.all_lines().exists():
        return "empty"
    return ""


def send_due_reminders(now=None):
    """Send every reminder that is due; returns {outcome: count}."""
    outcomes = {}
    for payment_id in list(candidates(now).values_list("pk", flat=True)):
        try:
            outcome = send_reminder(payment_id)
        except Exception:
            logger.exception("Could not send the checkout reminder for payment %s", payment_id)
            outcome = "failed"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@transaction.atomic
def send_reminder(payment_id):
    payment = CheckoutPayment.objects.select_related("basket").get(pk=payment_id)
    if payment.status not in UNPAID_STATUSES:
        return "paid"
    reason = why_not(payment)
    if reason:
        return reason
    try:
        with transaction.atomic():
            reminder = CheckoutReminder.objects.create(basket=payment.basket, payment=payment, email=payment.email)
    except IntegrityError:
        return "already sent"  # another worker got there first
    emails.send_checkout_reminder(reminder, reminder_context(reminder, payment.basket))
    return "sent"


def reminder_context(reminder, basket):
    strategy = Selector().strategy()
    lines = []
    for line in basket.all_lines():
        info = strategy.fetch_for_product(line.product)
        price = info.price.incl_tax * line.quantity if info.price.exists else None
        image = line.product.primary_image()
        lines.append({
            "title": line.product.get_title(),
            "quantity": line.quantity,
            "price": currency(price, info.price.currency) if price is not None else "",
            "image": media_url(getattr(image, "original", None)) if getattr(image, "pk", None) else "",
        })
    placement = (
        VideoPlacement.objects.filter(placement=VideoPlacement.Placement.BASKET)
        .select_related("video")
        .order_by("sort_order", "pk")
        .first()
    )
    return {
        "lines": lines,
        "restore_url": links.restore_basket_url(reminder),
        "video": video_card(placement.video) if placement else None,
    }


def record_order(order):
    """An order was paid (checkout's order_paid): credit the reminder of its basket, if any."""
    CheckoutReminder.objects.filter(
        Q(basket_id=order.basket_id) | Q(restored_basket_id=order.basket_id), order__isnull=True,
        sent_at__lte=order.date_placed,
    ).update(order=order)


def restore_basket(request, reminder):
    """Put the reminded basket's lines into this visitor's basket (Oscar's request.basket).

    The reminded basket itself is left alone: its payment row still points at it. If this browser
    has that checkout's frozen basket, the checkout's own give_back() returns it first (as the
    basket page would). A line already there is topped up to the reminded quantity, never doubled,
    so opening the link twice changes nothing. Returns the titles that could not be added.
    """
    from checkout import baskets

    baskets.give_back(request)
    target = request.basket
    source = Basket.objects.get(pk=reminder.basket_id)
    missing = []
    for line in source.all_lines():
        options = [{"option": a.option, "value": a.value} for a in line.attributes.all()]
        have = target.lines.filter(product_id=line.product_id).aggregate(n=Sum("quantity"))["n"] if target.id else 0
        wanted = line.quantity - (have or 0)
        if wanted <= 0:
            continue
        info = target.strategy.fetch_for_product(line.product)
        if not info.availability.is_purchase_permitted(wanted)[0]:
            missing.append(line.product.get_title())
            continue
        target.add_product(line.product, wanted, options)
    CheckoutReminder.objects.filter(pk=reminder.pk).update(restored_at=timezone.now(), restored_basket_id=target.pk)
    return missing
