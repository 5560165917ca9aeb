"""Checkout payments, from the payment page to a placed (or refunded) order.

The flow (payments/README.md has the whole picture):

1. start_payment(): the payment page prices the frozen basket on the server and creates or
   reuses a PaymentIntent for exactly that amount; a CheckoutPayment row keyed by the intent
   id keeps everything needed to place the order without the shopper's session.
2. confirm_checkout_details(): right before the card is charged, the basket is still frozen
   and still costs what the intent is for; the newsletter choice is recorded.
3. place_order_for_payment_intent(): the ONE function that turns a succeeded intent into an
   order. The shopper's return from Stripe and Stripe's webhook both call it; it locks the
   row, so whichever comes first places the order and the other finds it.
"""

import logging
from dataclasses import dataclass
from functools import partial

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from oscar.core.loading import get_class, get_model
from oscar.templatetags.currency_filters import currency as format_currency

from payments import emails, stripe_gateway
from payments.models import CheckoutPayment, from_cents, to_cents

logger = logging.getLogger(__name__)

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
ShippingAddress = get_model("order", "ShippingAddress")
BillingAddress = get_model("order", "BillingAddress")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
Transaction = get_model("payment", "Transaction")
Applicator = get_class("offer.applicator", "Applicator")
OrderPlacementMixin = get_class("checkout.mixins", "OrderPlacementMixin")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
Repository = get_class("shipping.repository", "Repository")
Selector = get_class("partner.strategy", "Selector")
SurchargeApplicator = get_class("checkout.applicator", "SurchargeApplicator")
InsufficientStock = get_class("partner.exceptions", "InsufficientStock")

# Stripe's smallest charge in US dollars.
MINIMUM_CHARGE_CENTS = 50
STRIPE_SOURCE_CODE = "stripe"
ADDRESS_FIELDS = (
    "title", "first_name", "last_name", "line1", "line2", "line3", "line4",
    "state", "postcode", "country_id", "phone_number", "notes",
)  # fmt: skip


class PaymentNotPossible(Exception):
    """The shopper cannot pay right now; the message says why and what to do."""


class TotalChanged(PaymentNotPossible):
    """The basket no longer costs what the PaymentIntent is for."""


class UnknownPaymentIntent(Exception):
    """No CheckoutPayment row for this intent: not created by this store."""


class PaymentNotSucceeded(Exception):
    """The intent has not (or not verifiably) been paid."""


class RefundNotAllowed(Exception):
    pass


@dataclass
class Pricing:
    shipping_method: object
    shipping_charge: object
    surcharges: object
    total: object


@dataclass
class Placement:
    payment: CheckoutPayment
    order: object = None
    placed_now: bool = False


# Pricing
# -------


def price_basket(basket, *, user, shipping_address, shipping_method_code):
    """The order total, computed as Oscar's checkout does (CheckoutSessionMixin.build_submission)
    but from explicit arguments instead of the session, so that the payment page, the last
    check before paying and the webhook all get the same number from the same code."""
    basket.strategy = Selector().strategy(user=user)
    Applicator().apply(basket, user)
    methods = Repository().get_shipping_methods(basket=basket, user=user, shipping_addr=shipping_address)
    method = next((m for m in methods if m.code == shipping_method_code), None)
    if method is None:
        return None
    charge = method.calculate(basket)
    surcharges = SurchargeApplicator().get_applicable_surcharges(basket, shipping_charge=charge)
    total = OrderTotalCalculator().calculate(basket, charge, surcharges)
    return Pricing(method, charge, surcharges, total)


def price_payment(payment, basket):
    return price_basket(
        basket,
        user=payment.user or AnonymousUser(),
        shipping_address=ShippingAddress(**address_fields(ShippingAddress, payment.shipping_address)),
        shipping_method_code=payment.shipping_method_code,
    )


def address_to_dict(address):
    if address is None:
        return None
    data = {name: getattr(address, name) for name in ADDRESS_FIELDS if hasattr(address, name)}
    if "phone_number" in data:
        data["phone_number"] = str(data["phone_number"] or "")
    return data


def address_fields(model, data):
    names = {field.attname for field in model._meta.concrete_fields}
    return {key: value for key, value in (data or {}).items() if key in names}


# Step 1: the payment page
# ------------------------


def start_payment(
    *, basket, user, email, shipping_address, billing_address, shipping_method_code, order_number, client_ip
):
    """Price the (frozen) basket and create or reuse the PaymentIntent for that amount.

    Returns (payment, intent). The idempotency key is tied to the basket, the total and the
    currency: asking twice for the same basket and total gives the same PaymentIntent, and a
    changed total gives a new one, never a changed amount on an intent being paid.
    """
    user = user if user.is_authenticated else None
    pricing = price_basket(
        basket,
        user=user or AnonymousUser(),
        shipping_address=shipping_address,
        shipping_method_code=shipping_method_code,
    )
    if pricing is None:
        raise PaymentNotPossible("Your shipping method is no longer available. Please choose another one.")
    total = pricing.total.incl_tax
    amount_cents = to_cents(total)
    if amount_cents < MINIMUM_CHARGE_CENTS:
        raise PaymentNotPossible("This order is below the smallest amount we can charge by card. Please contact us.")
    currency = basket.currency.lower()
    details = {
        "basket": basket,
        "order_number": order_number,
        "amount": total,
        "currency": currency,
        "user": user,
        "email": email,
        "shipping_address": address_to_dict(shipping_address),
        "billing_address": address_to_dict(billing_address),
        "shipping_method_code": shipping_method_code,
        "shipping_charge_excl_tax": pricing.shipping_charge.excl_tax,
        "shipping_charge_incl_tax": pricing.shipping_charge.incl_tax,
        "client_ip": client_ip,
    }

    same_total = CheckoutPayment.objects.filter(basket=basket, amount=total, currency=currency)
    for payment in same_total.filter(status=CheckoutPayment.PENDING):
        intent = stripe_gateway.retrieve_payment_intent(payment.intent_id)
        if intent["status"] == "canceled":
            continue
        if intent["status"] in stripe_gateway.PAYABLE_STATUSES:
            # The shopper may have changed address or email since; the next order uses these.
            CheckoutPayment.objects.filter(pk=payment.pk, status=CheckoutPayment.PENDING).update(
                **{key: value for key, value in details.items() if key != "basket"}
            )
            payment.refresh_from_db()
        return payment, intent

    # A paid-and-refunded or canceled intent for the same total must not come back.
    attempt = same_total.count()
    idempotency_key = (
        f"qlclaw-checkout-{basket.id}-{int(basket.date_created.timestamp())}-{amount_cents}-{currency}-{attempt}"
    )
    intent = stripe_gateway.create_payment_intent(
        amount_cents=amount_cents,
        currency=currency,
        metadata={"basket_id": str(basket.id), "order_number": order_number},
        idempotency_key=idempotency_key,
    )
    if intent["amount"] != amount_cents or intent["currency"] != currency:
        raise stripe_gateway.PaymentGatewayError(
            "Our payment provider returned a different amount. Nothing was charged."
        )
    payment, created = CheckoutPayment.objects.get_or_create(intent_id=intent["id"], defaults=details)
    if not created and payment.basket_id != basket.id:
        raise stripe_gateway.PaymentGatewayError("Our payment provider returned a payment for another basket.")
    return payment, intent


# Step 2: right before paying
# ---------------------------


def confirm_checkout_details(payment, *, newsletter_opt_in):
    """Called as the shopper clicks Pay: the basket is frozen and still costs what the intent
    is for, and the newsletter choice is stored for after the order."""
    with transaction.atomic():
        payment = CheckoutPayment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != CheckoutPayment.PENDING:
            raise PaymentNotPossible("This payment is already complete.")
        basket = Basket.objects.select_for_update().get(pk=payment.basket_id)
        if basket.status == Basket.OPEN:
            # A failed attempt thawed it (record_payment_failure): freeze it for this one.
            basket.freeze()
        elif basket.status != Basket.FROZEN:
            raise PaymentNotPossible("This basket has already been ordered.")
        pricing = price_payment(payment, basket)
        if pricing is None or to_cents(pricing.total.incl_tax) != payment.amount_cents:
            raise TotalChanged("Your order total has changed. Please check the new total before paying.")
        payment.newsletter_opt_in = newsletter_opt_in
        payment.save(update_fields=["newsletter_opt_in", "date_updated"])
    return payment


# Step 3: the one place an order is placed
# ----------------------------------------


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
    with transaction.atomic():
        payment = CheckoutPayment.objects.select_for_update().filter(intent_id=intent["id"]).first()
        if payment is None:
            raise UnknownPaymentIntent(intent["id"])
        if payment.status != CheckoutPayment.PENDING:
            return Placement(payment, payment.order)
        if intent["status"] != "succeeded":
            raise PaymentNotSucceeded(f"PaymentIntent {intent['id']} is {intent['status']}")
        if payment.is_demo and not stripe_gateway.demo_mode_enabled():
            raise PaymentNotSucceeded("Demo payments are only accepted in demo mode")

        basket = Basket.objects.select_for_update().get(pk=payment.basket_id)
        charged = intent["amount"]
        if basket.status == Basket.SUBMITTED or Order.objects.filter(number=payment.order_number).exists():
            return _refund_without_order(
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
            return _refund_without_order(
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
            return _refund_without_order(
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
            return _refund_without_order(payment, intent, CheckoutPayment.OUT_OF_STOCK, str(error))

        payment.order = order
        payment.status = CheckoutPayment.PLACED
        payment.last_error = ""
        payment.save(update_fields=["order", "status", "last_error", "date_updated"])
        # Mail goes out only once the order is committed, and a mail failure changes nothing.
        transaction.on_commit(partial(emails.send_order_placed, order.pk), robust=True)
        if payment.newsletter_opt_in:
            transaction.on_commit(partial(_subscribe_to_newsletter, payment.email, payment.client_ip), robust=True)
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
    basket.submit()
    return order


def _refund_without_order(payment, intent, reason, detail):
    """Give the money back for a payment that cannot become the order it paid for."""
    refund = stripe_gateway.create_refund(
        intent_id=payment.intent_id,
        amount_cents=intent["amount"],
        # One automatic refund per intent, however many times this runs.
        idempotency_key=f"qlclaw-unplaced-{payment.intent_id}",
        metadata={"reason": reason, "order_number": payment.order_number},
    )
    payment.status = CheckoutPayment.REFUNDED
    payment.unplaced_reason = reason
    payment.refund_id = refund["id"]
    payment.last_error = detail
    payment.save(update_fields=["status", "unplaced_reason", "refund_id", "last_error", "date_updated"])
    if reason != CheckoutPayment.DUPLICATE:
        # Let the shopper change the basket and try again.
        Basket.objects.filter(pk=payment.basket_id, status=Basket.FROZEN).update(status=Basket.OPEN)
    logger.warning("Refunded %s without an order (%s): %s", payment.intent_id, reason, detail)
    transaction.on_commit(partial(emails.send_payment_refunded_without_order, payment.pk), robust=True)
    return Placement(payment)


def _subscribe_to_newsletter(email, ip):
    if not apps.is_installed("newsletter"):
        return
    from newsletter.services import request_subscription

    try:
        request_subscription(email, source="checkout", ip=ip)
    except Exception:
        # The order is placed and paid; a newsletter problem must not surface as an error.
        logger.exception("Could not subscribe %s to the newsletter after checkout", email)


# Failures and refunds
# --------------------


def record_payment_failure(intent):
    """A payment attempt failed: keep Stripe's message and leave the basket usable."""
    with transaction.atomic():
        payment = CheckoutPayment.objects.select_for_update().filter(intent_id=intent["id"]).first()
        if payment is None or payment.status != CheckoutPayment.PENDING:
            # Unknown, or a late event for an intent that has since been paid: nothing to do.
            return None
        error = intent.get("last_payment_error") or {}
        payment.last_error = error.get("message") or "The payment did not go through."
        payment.save(update_fields=["last_error", "date_updated"])
        Basket.objects.filter(pk=payment.basket_id, status=Basket.FROZEN).update(status=Basket.OPEN)
    return payment


def record_refunds_for_charge(charge):
    """Record refunds made outside the store (in Stripe's dashboard) against the order."""
    intent_id = charge.get("payment_intent")
    payment = CheckoutPayment.objects.filter(intent_id=intent_id).first() if intent_id else None
    if payment is None:
        return 0
    if payment.status == CheckoutPayment.PENDING:
        # The refund event overtook payment_intent.succeeded: place the order first, through
        # the same function, from what Stripe says about the intent now.
        intent = stripe_gateway.retrieve_payment_intent(intent_id)
        if intent["status"] != "succeeded":
            return 0
        payment = place_order_for_payment_intent(intent).payment
    if payment.status != CheckoutPayment.PLACED:
        return 0
    listed = charge.get("refunds") or {}
    if listed.get("data") is not None and not listed.get("has_more"):
        refunds = listed["data"]
    else:
        # Since API version 2022-11-15 a charge no longer embeds its refunds: ask Stripe.
        refunds = stripe_gateway.list_refunds(intent_id)
    recorded = 0
    with transaction.atomic():
        payment = CheckoutPayment.objects.select_for_update().get(pk=payment.pk)
        for refund in refunds:
            recorded += _record_refund(payment, refund, by="Stripe's dashboard")
    return recorded


def refund_order(order, amount, *, user, token):
    """Refund part or all of an order through Stripe, from the Oscar dashboard.

    `token` comes from the form the staff member submitted: sending the same form twice reuses
    the idempotency key, so Stripe returns the first refund instead of making a second one.
    """
    with transaction.atomic():
        payment = CheckoutPayment.objects.select_for_update().filter(order=order).first()
        if payment is None:
            raise RefundNotAllowed("This order was not paid through the store's checkout.")
        source = stripe_source(order)
        available = source.amount_available_for_refund
        if amount <= 0 or amount > available:
            raise RefundNotAllowed(f"At most {format_currency(available, order.currency)} can be refunded.")
        refund = stripe_gateway.create_refund(
            intent_id=payment.intent_id,
            amount_cents=to_cents(amount),
            idempotency_key=f"qlclaw-refund-{payment.intent_id}-{token}",
            metadata={"order_number": order.number, "staff_user_id": str(user.pk)},
        )
        _record_refund(payment, refund, by=user.get_username(), user=user)
    return refund


def stripe_source(order):
    return order.sources.select_for_update().get(source_type__code=STRIPE_SOURCE_CODE)


def _record_refund(payment, refund, *, by, user=None):
    """Book one Stripe refund on the order once: a Transaction on the Stripe source, a payment
    event and a note. Returns 1 if it was new, 0 if already booked or not a real refund."""
    if refund.get("status") in ("failed", "canceled"):
        return 0
    if refund["id"] == payment.refund_id:
        return 0
    order = payment.order
    source = stripe_source(order)
    if source.transactions.filter(txn_type=Transaction.REFUND, reference=refund["id"]).exists():
        return 0
    amount = from_cents(refund["amount"])
    source.refund(amount, reference=refund["id"], status=refund.get("status", ""))
    event_type, _ = PaymentEventType.objects.get_or_create(name="Refunded")
    PaymentEvent.objects.create(order=order, event_type=event_type, amount=amount, reference=refund["id"])
    OrderNote.objects.create(
        order=order,
        user=user,
        note_type=OrderNote.SYSTEM,
        message=f"Refunded {format_currency(amount, order.currency)} through Stripe ({refund['id']}), by {by}.",
    )
    return 1


def payment_for_session(intent_id):
    if not intent_id:
        return None
    return CheckoutPayment.objects.select_related("order").filter(intent_id=intent_id).first()
