"""The email asking for a review, some days after an order was delivered.

An order is asked once (a unique ReviewRequest row, inserted in the same transaction that queues
the email: two workers at once send one), when it has been Delivered (fulfilment/statuses.py) for
REVIEW_REQUEST_AFTER_DAYS days and no more than REVIEW_REQUEST_WINDOW_DAYS beyond that (so turning
this on does not mail every customer of the past years). It is not asked when:

- the order has no customer account (reviews need one: OSCAR_ALLOW_ANON_REVIEWS is off);
- the address opted out of review requests (the link in an earlier one);
- the customer has already reviewed every product of the order, or none is still on sale.

The email lists the products still to review, each with a link to its review form.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from fulfilment import statuses
from shop.links import absolute_url
from shop.mail import send_branded

from . import links
from .models import ReviewOptOut, ReviewRequest, normalize

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
OrderStatusChange = get_model("order", "OrderStatusChange")
ProductReview = get_model("reviews", "ProductReview")


def after_days():
    return getattr(settings, "REVIEW_REQUEST_AFTER_DAYS", 7)


def window_days():
    return getattr(settings, "REVIEW_REQUEST_WINDOW_DAYS", 14)


def candidates(now=None):
    """Delivered orders whose delivery is due a request and that had none."""
    now = now or timezone.now()
    due = now - timedelta(days=after_days())
    delivered = OrderStatusChange.objects.filter(
        order=OuterRef("pk"),
        new_status=statuses.DELIVERED,
        date_created__lte=due,
        date_created__gte=due - timedelta(days=window_days()),
    )
    asked = ReviewRequest.objects.filter(order=OuterRef("pk"))
    return (
        Order.objects.filter(status=statuses.DELIVERED, user__isnull=False)
        .alias(delivered=Exists(delivered), asked=Exists(asked))
        .filter(delivered=True, asked=False)
        .order_by("pk")
    )


def send_due_requests(now=None):
    """Send every request that is due; returns {outcome: count}."""
    outcomes = {}
    for order_id in list(candidates(now).values_list("pk", flat=True)):
        try:
            outcome = send_request(order_id)
        except Exception:
            logger.exception("Could not send the review request of order %s", order_id)
            outcome = "failed"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def products_to_review(order):
    """The order's products, once each, that are on sale and the customer has not reviewed."""
    reviewed = set(ProductReview.objects.filter(user=order.user_id).values_list("product_id", flat=True))
    products = {}
    for line in order.lines.select_related("product"):
        product = line.product
        if product is None or not product.is_public or product.pk in reviewed:
            continue
        products.setdefault(product.pk, product)
    return list(products.values())


@transaction.atomic
def send_request(order_id):
    order = Order.objects.select_related("user").get(pk=order_id)
    if order.status != statuses.DELIVERED or order.user is None:
        return "not delivered"
    email = normalize(order.user.email or order.guest_email)
    if not email:
        return "no address"
    if ReviewOptOut.objects.for_email(email).exists():
        return "opted out"
    products = products_to_review(order)
    if not products:
        return "nothing to review"
    try:
        with transaction.atomic():
            ReviewRequest.objects.create(order=order, email=email)
    except IntegrityError:
        return "already sent"  # another worker got there first
    opt_out_url = links.opt_out_url(email)
    context = {
        "order": order,
        "name": order.user.first_name.strip(),
        "moderated": settings.OSCAR_MODERATE_REVIEWS,
        "products": [
            {
                "title": product.get_title(),
                "url": absolute_url(product.get_absolute_url()),
                "review_url": absolute_url(
                    reverse("catalogue:reviews-add", kwargs={"product_slug": product.slug, "product_pk": product.pk})
                    + "#addreview"
                ),
            }
            for product in products
        ],
        "opt_out_url": opt_out_url,
    }
    send_branded(
        "product_reviews/emails/review_request",
        context,
        email,
        headers={"List-Unsubscribe": f"<{opt_out_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    return "sent"


def opt_out(email):
    """No more review requests to this address. Idempotent."""
    ReviewOptOut.objects.get_or_create(email=normalize(email))
