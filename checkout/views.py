"""Oscar's checkout steps, paid on our own page with Stripe's Payment Element (or the demo button).

Each view calls one step of checkout/flow.py and turns its answer into a page. No view places an
order itself: every order goes through placement.place_order_for_payment_intent, which Stripe's
webhook calls too.
"""

import logging

from django import http
from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.views import generic
from oscar.apps.checkout import views
from oscar.core.loading import get_class

from checkout import baskets, flow, placement, stripe_gateway
from shop.security import client_ip

logger = logging.getLogger("oscar.checkout")

OrderPlacementMixin = get_class("checkout.mixins", "OrderPlacementMixin")
CheckoutSessionData = get_class("checkout.utils", "CheckoutSessionData")


class PaymentFlowMixin(OrderPlacementMixin):
    """What the payment page, the Pay button, the demo button and the return from Stripe share.

    Oscar's CheckoutSessionMixin.dispatch (through OrderPlacementMixin) sets checkout_session.
    """

    def session_payment(self):
        return flow.payment_for_session(self.checkout_session.get_payment_intent_id())

    def respond_to_failure(self, intent):
        """A declined or failed attempt, however we learnt of it (the return from Stripe.js, or
        the demo's decline button): the basket is the shopper's again, the row keeps the message
        (as the payment_intent.payment_failed webhook leaves it) and the payment page says why.
        The same PaymentIntent is offered again, so the shopper can pay with another card."""
        # First give the basket back to this shopper (their basket cookie or account), then record
        # the failure, which would otherwise thaw it without handing it back.
        baskets.give_back(self.request)
        flow.record_failure(intent)
        error = (intent.get("last_payment_error") or {}).get("message")
        messages.error(
            self.request,
            error or "Your payment was not completed and nothing was charged. Please try again or use another card.",
        )
        return redirect("checkout:payment-details")

    def respond_to_placement(self, placed):
        if placed.order is not None:
            return self.show_thank_you(placed.order)
        # Paid, but refunded instead of placed: say so plainly, and start afresh.
        self.checkout_session.set_payment_intent_id(None)
        return render(self.request, "checkout/refunded.html", {"payment": placed.payment})

    def show_thank_you(self, order):
        self.checkout_session.flush()
        self.request.session["checkout_order_id"] = order.id
        return redirect("checkout:thank-you")


class PaymentDetailsView(PaymentFlowMixin, views.PaymentDetailsView):
    """The payment page: freeze the basket, price it on the server, create or reuse the
    PaymentIntent for that amount and mount Stripe's Payment Element (or the demo button)."""

    def get_skip_conditions(self, request):
        # Oscar skips to its preview page when nothing is payable; this store has no unpaid orders.
        return []

    def dispatch(self, request, *args, **kwargs):
        self.checkout_session = CheckoutSessionData(request)
        payment = self.session_payment()
        if payment is not None and payment.order_id:
            return self.show_thank_you(payment.order)
        if request.method == "GET" and not self.preview and baskets.give_back(request):
            # Load the page again with the thawed basket, priced as the basket middleware does.
            return redirect(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.preview:
            return redirect("checkout:payment-details")
        basket = request.basket
        submission = self.build_submission()
        order_number = self.generate_order_number(basket)
        self.checkout_session.set_submitted_basket(basket)
        self.checkout_session.set_order_number(order_number)
        try:
            payment, intent = flow.begin_payment(
                basket=basket,
                user=request.user,
                email=self.shopper_email(),
                shipping_address=submission["shipping_address"],
                billing_address=submission["billing_address"],
                shipping_method_code=submission["shipping_method"].code,
                order_number=order_number,
                client_ip=client_ip(request),
            )
        except (flow.PaymentNotPossible, stripe_gateway.PaymentGatewayError) as error:
            return self.render_payment_details(request, error=str(error), payment_unavailable=True)
        self.checkout_session.set_payment_intent_id(payment.intent_id)
        # Saved here, in the request's transaction (ATOMIC_REQUESTS) with the frozen basket and the
        # payment row, not on the way out after the page is rendered: a worker that died in between
        # left a frozen basket this browser's session did not know, and the reload an empty cart.
        try:
            request.session.save()
        except UpdateError:  # as Django's SessionMiddleware: a 400, and this transaction rolled back
            raise SessionInterrupted("The session ended (a sign-out elsewhere?) as the payment page loaded.") from None
        if intent["status"] in flow.SETTLING_STATUSES:
            return redirect(f"{reverse('checkout:payment-return')}?payment_intent={payment.intent_id}")
        return self.render_payment_details(request, payment=payment, client_secret=intent.get("client_secret"))

    def post(self, request, *args, **kwargs):
        # Oscar places the order from its preview page's POST; here only a paid PaymentIntent
        # can become an order.
        return http.HttpResponseNotAllowed(["GET"])

    def shopper_email(self):
        if self.request.user.is_authenticated:
            return self.request.user.email
        return self.checkout_session.get_guest_email()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["demo_mode"] = stripe_gateway.demo_mode_enabled()
        ctx["stripe_publishable_key"] = settings.STRIPE_PUBLISHABLE_KEY
        ctx["return_url"] = self.request.build_absolute_uri(reverse("checkout:payment-return"))
        return ctx


class PaymentPrepareView(PaymentFlowMixin, generic.View):
    """The Pay button's last check before Stripe.js charges the card (answers JSON)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        payment = self.session_payment()
        if payment is None or payment.is_demo:
            return http.JsonResponse(
                {"error": "Your checkout has expired. The page will reload.", "reload": True}, status=409
            )
        try:
            flow.prepare_payment(payment, marketing_opt_in=bool(request.POST.get("newsletter")))
        except flow.PaymentNotPossible as error:
            return http.JsonResponse({"error": str(error), "reload": True}, status=409)
        return http.JsonResponse({"ok": True})


class DemoPaymentView(PaymentFlowMixin, generic.View):
    """Demo mode's "pay" button: the same checks and the same order-placing function, without Stripe."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if not stripe_gateway.demo_mode_enabled():
            raise http.Http404("Demo payments are off")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        payment = self.session_payment()
        if payment is None or not payment.is_demo:
            messages.error(request, "Your checkout has expired. Please check your order and pay again.")
            return redirect("checkout:payment-details")
        try:
            flow.prepare_payment(payment, marketing_opt_in=bool(request.POST.get("newsletter")))
        except flow.PaymentNotPossible as error:
            messages.error(request, str(error))
            return redirect("checkout:payment-details")
        intent = stripe_gateway.confirm_demo_payment(
            payment.intent_id, amount_cents=payment.amount_cents, currency=payment.currency
        )
        return self.respond_to_placement(placement.place_order_for_payment_intent(intent))


class DemoDeclineView(DemoPaymentView):
    """Demo mode's "decline the card" button: what a declined card does with Stripe (card
    4000 0000 0000 0002), through the same failure path, so the shopper can try again."""

    def post(self, request, *args, **kwargs):
        payment = self.session_payment()
        if payment is not None and payment.order_id:
            return self.show_thank_you(payment.order)
        if payment is None or not payment.is_demo or payment.status != payment.PENDING:
            messages.error(request, "Your checkout has expired. Please check your order and pay again.")
            return redirect("checkout:payment-details")
        return self.respond_to_failure(stripe_gateway.decline_demo_payment(payment.intent_id))


class PaymentReturnView(PaymentFlowMixin, generic.View):
    """Where Stripe.js sends the shopper after paying (and after 3-D Secure): ask Stripe how the
    PaymentIntent stands and place the order if it succeeded."""

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        payment = flow.payment_for_session(request.GET.get("payment_intent", ""))
        if payment is None:
            raise http.Http404("Unknown payment")
        try:
            settlement = flow.settle_return(payment, may_see=self.may_see)
        except PermissionError:
            raise http.Http404("Unknown payment") from None
        if settlement.outcome == flow.Settlement.PLACED:
            return self.respond_to_placement(settlement.placed)
        if settlement.outcome == flow.Settlement.PENDING:
            # The webhook places the order when Stripe settles it; the shopper gets the email.
            context = {"payment": payment, "unreachable": settlement.unreachable}
            return render(request, "checkout/pending.html", context)
        return self.respond_to_failure(settlement.intent)

    def may_see(self, intent):
        """The shopper who started this payment (session) or holds its client secret (the return URL)."""
        if intent["id"] == self.checkout_session.get_payment_intent_id():
            return True
        secret = self.request.GET.get("payment_intent_client_secret", "")
        return bool(secret) and constant_time_compare(secret, intent.get("client_secret") or "")


class PaymentCancelView(PaymentFlowMixin, generic.View):
    """ "Change basket" from the payment page: give the frozen basket back, then show it."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        order = flow.cancel_payment(request, self.session_payment())
        if order is not None:
            return self.show_thank_you(order)
        return redirect("basket:summary")
