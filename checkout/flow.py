"""The payment steps the checkout's views take, one function each:

1. begin_payment(): the payment page freezes the basket, prices it on the server and creates or
   reuses a PaymentIntent for exactly that amount; a CheckoutPayment row keyed by the intent id
   keeps everything needed to place the order without the shopper's session.
2. prepare_payment(): right before the card is charged, the basket is still frozen and still
   costs what the intent is for; the marketing choice is recorded.
3. settle_return(): the shopper is back from Stripe: place the order (placement.py), wait for
   the webhook, or record the failure and give the basket back.
4. cancel_payment(): "Change the basket" gives the frozen basket back.
"""

import logging
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from checkout import baskets, placement, stripe_gateway
from checkout.models import CheckoutPayment, to_cents
from checkout.pricing import MINIMUM_CHARGE_CENTS, address_to_dict, price_basket, price_payment
from tax.backends import TaxUnavailable

logger = logging.getLogger("oscar.checkout")

# The intent is paid (or being paid): only the return decides what happens next.
SETTLING_STATUSES = {"succeeded", "processing", "requires_capture"}


class PaymentNotPossible(Exception):
    """The shopper cannot pay right now; the message says why and what to do."""


class TotalChanged(PaymentNotPossible):
    """The basket no longer costs what the PaymentIntent is for."""


TAX_UNAVAILABLE = (
    "We could not work out the sales tax for your address just now. Nothing was charged: please try again in a minute."
)


def payment_for_session(intent_id):
    if not intent_id:
        return None
    return CheckoutPayment.objects.select_related("order").filter(intent_id=intent_id).first()


# Step 1: the payment page
# ------------------------


def begin_payment(
    *, basket, user, email, shipping_address, billing_address, shipping_method_code, order_number, client_ip
):
    """Freeze the basket, price it and create or reuse the PaymentIntent for that amount.

    Returns (payment, intent); on PaymentNotPossible or PaymentGatewayError the basket is open
    again. The idempotency key is tied to the basket, the total and the currency: asking twice
    for the same basket and total gives the same PaymentIntent, and a changed total gives a new
    one, never a changed amount on an intent being paid.
    """
    baskets.freeze(basket)
    try:
        return _payment_intent_for(
            basket=basket,
            user=user if user.is_authenticated else None,
            email=email,
            shipping_address=shipping_address,
            billing_address=billing_address,
            shipping_method_code=shipping_method_code,
            order_number=order_number,
            client_ip=client_ip,
        )
    except (PaymentNotPossible, stripe_gateway.PaymentGatewayError) as error:
        logger.warning("Order #%s: cannot start payment (%s)", order_number, error)
        basket.thaw()
        raise


def _payment_intent_for(
    *, basket, user, email, shipping_address, billing_address, shipping_method_code, order_number, client_ip
):
    try:
        pricing = price_basket(
            basket,
            user=user or AnonymousUser(),
            shipping_address=shipping_address,
            shipping_method_code=shipping_method_code,
        )
    except TaxUnavailable as error:
        raise PaymentNotPossible(TAX_UNAVAILABLE) from error
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


def prepare_payment(payment, *, marketing_opt_in):
    """Called as the shopper clicks Pay: the basket is frozen and still costs what the intent
    is for, and the marketing choice is stored for after the order."""
    with transaction.atomic():
        payment = CheckoutPayment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != CheckoutPayment.PENDING:
            raise PaymentNotPossible("This payment is already complete.")
        basket = baskets.lock(payment.basket_id)
        if basket.status == basket.OPEN:
            # A failed attempt thawed it (record_failure): freeze it for this one.
            baskets.freeze(basket)
        elif basket.status != basket.FROZEN:
            raise PaymentNotPossible("This basket has already been ordered.")
        try:
            pricing = price_payment(payment, basket)
        except TaxUnavailable as error:
            raise PaymentNotPossible(TAX_UNAVAILABLE) from error
        if pricing is None or to_cents(pricing.total.incl_tax) != payment.amount_cents:
            raise TotalChanged("Your order total has changed. Please check the new total before paying.")
        payment.newsletter_opt_in = marketing_opt_in
        payment.save(update_fields=["newsletter_opt_in", "date_updated"])
    return payment


# Step 3: back from Stripe
# ------------------------


@dataclass
class Settlement:
    """What the shopper's return came to: PLACED (an order, or a refund when none could be
    placed: see placement), PENDING (Stripe is still settling, or could not be asked) or FAILED."""

    PLACED, PENDING, FAILED = "placed", "pending", "failed"
    outcome: str
    payment: CheckoutPayment
    placed: placement.Placement | None = None
    intent: dict | None = None
    unreachable: bool = False


def settle_return(payment, *, may_see):
    """The shopper is back from Stripe (or 3-D Secure) for this payment. `may_see(intent)` says
    whether this browser may act on it; if not, PermissionError."""
    try:
        intent = stripe_gateway.retrieve_payment_intent(payment.intent_id)
    except stripe_gateway.PaymentGatewayError:
        return Settlement(Settlement.PENDING, payment, unreachable=True)
    if not may_see(intent):
        raise PermissionError(payment.intent_id)
    if intent["status"] == "succeeded" or payment.status != CheckoutPayment.PENDING:
        try:
            placed = placement.place_order_for_payment_intent(intent)
        except TaxUnavailable:
            # Paid, but a tax service cannot confirm the total yet: the webhook or the sweep
            # places the order once it answers, and the shopper gets the email.
            return Settlement(Settlement.PENDING, payment, intent=intent, unreachable=True)
        return Settlement(Settlement.PLACED, placed.payment, placed=placed, intent=intent)
    if intent["status"] in SETTLING_STATUSES:
        # The webhook places the order when Stripe settles it; the shopper gets the email.
        return Settlement(Settlement.PENDING, payment, intent=intent)
    return Settlement(Settlement.FAILED, payment, intent=intent)


def record_failure(intent):
    """A payment attempt failed: keep Stripe's message and leave the basket usable."""
    with transaction.atomic():
        payment = CheckoutPayment.objects.select_for_update().filter(intent_id=intent["id"]).first()
        if payment is None or payment.status != CheckoutPayment.PENDING:
            # Unknown, or a late event for an intent that has since been paid: nothing to do.
            return None
        error = intent.get("last_payment_error") or {}
        payment.last_error = error.get("message") or "The payment did not go through."
        payment.save(update_fields=["last_error", "date_updated"])
        baskets.thaw(payment.basket_id)
    return payment


# Step 4: "Change the basket"
# ---------------------------


def cancel_payment(request, payment):
    """The shopper leaves the payment page for the basket. Returns the order if the payment had
    in fact been placed; otherwise the frozen basket is theirs again and None is returned."""
    if payment is not None and payment.order_id:
        return payment.order
    baskets.give_back(request)
    return None
