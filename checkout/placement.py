"""The one place a paid PaymentIntent becomes an order.

The shopper's return from Stripe, Stripe's webhook and the demo button all call
place_order_for_payment_intent(); it locks the payment row, so whichever door comes first places
the order and the others find it (checkout/README.md has the whole flow).
"""

import logging
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from oscar.core.loading import get_class, get_model
from oscar.templatetags.currency_filters import currency as format_currency

from checkout import baskets, emails, refunds, stripe_gateway
from checkout.models import STRIPE_SOURCE_CODE, CheckoutPayment, to_cents
from checkout.pricing import address_fields, price_payment
from checkout.signals import order_paid
from tax import service as sales_tax

logger = logging.getLogger(__name__)

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
BillingAddress = get_model("order", "BillingAddress")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
Transaction = get_model("payment", "Transaction")
OrderPlacementMixin = get_class("checkout.mixins", "OrderPlacementMixin")
InsufficientStock = get_class("partner.exceptions", "InsufficientStock")


class UnknownPaymentIntent(Exception):
    """No CheckoutPayment row for this intent: not created by this store."""


class PaymentNotSucceeded(Exception):
    """The intent has not (or not verifiably) been paid."""


@dataclass
class Placement:
    payment: CheckoutPayment
    order: object = None
    placed_now: bool = False


class OrderPlacer(OrderPlacementMixin):
    """Oscar's order-writing half of the checkout (addresses, OrderCreator, payment sources and
    events), used without a request or session because the webhook has neither."""

    request = None


def place_order_for_payment_intent(intent):
    """Turn a succeeded PaymentIntent into exactly one order.

    Safe to call any number of times, from any door, concurrently: the CheckoutPayment row is
    locked for the whole placement and a row that is no longer pending is returned as it is.
    If the order cannot be placed as paid for (stock ran out, the amount differs, the basket
    was already ordered) the payment is refunded through Stripe and staff are told.
    """
    if not CheckoutPayment.objects.filter(intent_id=intent["id"]).exists():
        raise UnknownPaymentIntent(intent["id"])
    if intent.get("status") == "succeeded":
        # A refunded PaymentIntent keeps the status "succeeded": only its charge tells. A webhook
        # carries the charge as an id; ask Stripe for it (before any row is locked).
        intent = stripe_gateway.with_charge(intent)
    with transaction.atomic():
        payment = CheckoutPayment.objects.select_for_update().filter(intent_id=intent["id"]).first()
        if payment is None:
            raise UnknownPaymentIntent(intent["id"])
        if payment.status != CheckoutPayment.PENDING:
            # Placed, or refunding or refunded: never placed (again).
            return Placement(payment, payment.order)
        if intent.get("status") != "succeeded":
            raise PaymentNotSucceeded(f"PaymentIntent {intent['id']} is {intent.get('status') or 'of unknown status'}")
        if not isinstance(intent.get("amount"), int) or not intent.get("currency"):
            raise PaymentNotSucceeded(f"PaymentIntent {intent['id']} lacks its amount or currency")
        if payment.is_demo and not stripe_gateway.demo_mode_enabled():
            raise PaymentNotSucceeded("Demo payments are only accepted in demo mode")

        charged = intent["amount"]
        refunded = stripe_gateway.amount_refunded(intent)
        if refunded:
            refunds.settle_unplaced_refund(payment, charged_cents=charged, refunded_cents=refunded)
            return Placement(payment)
        basket = baskets.lock(payment.basket_id)
        if basket.status == Basket.SUBMITTED or Order.objects.filter(number=payment.order_number).exists():
            return _unplaced(
                payment,
                intent,
                CheckoutPayment.DUPLICATE,
                f"Basket {basket.id} was already ordered with another payment.",
            )
        if (
            intent.get("currency") != payment.currency
            or charged != payment.amount_cents
            or intent.get("amount_received", charged) != charged
        ):
            return _unplaced(
                payment,
                intent,
                CheckoutPayment.AMOUNT_MISMATCH,
                f"Stripe charged {charged} {intent.get('currency')} cents; the order total was "
                f"{payment.amount_cents} {payment.currency} cents.",
            )
        pricing = price_payment(payment, basket)
        if pricing is None or to_cents(pricing.total.incl_tax) != charged:
            new_total = "unavailable" if pricing is None else format_currency(pricing.total.incl_tax, basket.currency)
            paid = format_currency(payment.amount, basket.currency)
            return _unplaced(
                payment,
                intent,
                CheckoutPayment.AMOUNT_MISMATCH,
                f"The basket total changed to {new_total} after {paid} was paid.",
            )
        try:
            # A savepoint: if stock runs out on the second line, the first line's allocation,
            # the order and its lines all go, and only the refund below remains.
            with transaction.atomic():
                order = _create_order(payment, basket, pricing, intent)
        except InsufficientStock as error:
            return _unplaced(payment, intent, CheckoutPayment.OUT_OF_STOCK, str(error))

        payment.order = order
        payment.status = CheckoutPayment.PLACED
        payment.last_error = ""
        payment.save(update_fields=["order", "status", "last_error", "date_updated"])
        # Mail goes out only once the order is committed, and a mail failure changes nothing. The
        # worker renders it (emails.queue_order_placed): the request that placed the order does not wait.
        transaction.on_commit(partial(emails.queue_order_placed, order.pk), robust=True)
        transaction.on_commit(
            partial(
                order_paid.send_robust,
                sender=CheckoutPayment,
                order=order,
                email=payment.email,
                marketing_opt_in=payment.newsletter_opt_in,
                client_ip=payment.client_ip,
            ),
            robust=True,
        )
    logger.info("Order %s placed for %s", order.number, payment.intent_id)
    return Placement(payment, order, placed_now=True)


def _create_order(payment, basket, pricing, intent):
    user = payment.user or AnonymousUser()
    total = pricing.total.incl_tax
    source_type, _ = SourceType.objects.get_or_create(code=STRIPE_SOURCE_CODE, defaults={"name": "Stripe"})
    source = Source(
        source_type=source_type,
        currency=payment.currency_code,
        amount_allocated=total,
        amount_debited=total,
        reference=payment.intent_id,
        label=stripe_gateway.card_label(intent),
    )
    source.create_deferred_transaction(
        Transaction.DEBIT, total, reference=stripe_gateway.charge_id(intent) or payment.intent_id, status="succeeded"
    )
    placer = OrderPlacer()
    placer.add_payment_source(source)
    placer.add_payment_event("Paid", total, reference=payment.intent_id)
    order_kwargs = {} if user.is_authenticated else {"guest_email": payment.email}
    billing_address = None
    if payment.billing_address:
        billing_address = BillingAddress(**address_fields(BillingAddress, payment.billing_address))
    order = placer.place_order(
        order_number=payment.order_number,
        user=user,
        basket=basket,
        shipping_address=ShippingAddress(**address_fields(ShippingAddress, payment.shipping_address)),
        shipping_method=pricing.shipping_method,
        shipping_charge=pricing.shipping_charge,
        order_total=pricing.total,
        billing_address=billing_address,
        surcharges=pricing.surcharges,
        **order_kwargs,
    )
    sales_tax.record_order_tax(order, pricing.tax, basket)
    baskets.submit(basket)
    return order


def _unplaced(payment, intent, reason, detail):
    """The payment cannot become the order it paid for: all the money paid goes back (recorded
    now, asked of Stripe once this transaction has committed)."""
    refunds.begin_refund_without_order(
        payment, reason=reason, detail=detail, amount_cents=intent.get("amount_received") or intent["amount"]
    )
    return Placement(payment)
