"""Staff pages about payments: the refund form on an order's page (Payment tab), and the list of
payments needing attention."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from oscar.core.loading import get_class
from oscar.templatetags.currency_filters import currency

from checkout import refunds, stripe_gateway
from checkout.forms import RefundForm
from checkout.models import STRIPE_SOURCE_CODE, CheckoutPayment, PaymentDispute

OrderDetailView = get_class("dashboard.orders.views", "OrderDetailView")


def refund_form_for(order, data=None):
    """The dashboard's refund form for an order paid through Stripe, or None."""
    source = order.sources.filter(source_type__code=STRIPE_SOURCE_CODE).first()
    if source is None or not hasattr(order, "checkout_payment"):
        return None
    return RefundForm(data, refundable=source.amount_available_for_refund, currency_code=order.currency)


class OrderRefundView(OrderDetailView):
    """Refund an order in whole or in part from its dashboard page (Payment tab).

    Oscar's order page stays as it is; this view takes the refund form's POST and, when the form
    is invalid, renders that same page with the errors.
    """

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not (request.user.is_staff and request.user.has_perm("order.change_order")):
            raise PermissionDenied
        order = self.object = self.get_object()
        form = refund_form_for(order, request.POST)
        if form is None:
            messages.error(request, "This order was not paid through Stripe, so it cannot be refunded here.")
            return self.reload_page()
        if form.is_valid():
            amount = form.cleaned_data["amount"]
            try:
                refunds.refund_order(order, amount, user=request.user, token=form.cleaned_data["token"])
            except refunds.RefundNotAllowed as error:
                form.add_error("amount", str(error))
            except stripe_gateway.PaymentGatewayError as error:
                form.renew_token()
                form.add_error("amount", f"Stripe did not refund: {error}")
            else:
                messages.success(request, f"Refunded {currency(amount, order.currency)} to the customer's card.")
                return redirect(reverse("dashboard:order-detail", kwargs={"number": order.number}) + "#payment")
        context = self.get_context_data(refund_form=form, active_tab="payment")
        return self.render_to_response(context, status=400)


class PaymentAttentionView(TemplateView):
    """Payments staff should look at. The sweep finishes most of them by itself every few minutes;
    what stays here is what it could not (Stripe refusing a refund, a payment it failed on) and
    what a person must follow up (a refunded shopper to contact, a chargeback to answer)."""

    template_name = "checkout/dashboard/attention.html"
    RECENT_DAYS = 30

    def get_context_data(self, **kwargs):
        now = timezone.now()
        pending_before = now - timedelta(seconds=settings.PAYMENT_SWEEP_PENDING_AFTER)
        payments = CheckoutPayment.objects.select_related("order")
        return super().get_context_data(
            refunding=payments.filter(status=CheckoutPayment.REFUNDING).order_by("date_updated"),
            stale_pending=payments.filter(status=CheckoutPayment.PENDING, date_updated__lt=pending_before).order_by(
                "date_updated"
            )[:100],
            refunded=payments.filter(
                status=CheckoutPayment.REFUNDED, date_updated__gte=now - timedelta(days=self.RECENT_DAYS)
            ).order_by("-date_updated")[:100],
            disputes=PaymentDispute.objects.select_related("payment__order")
            .exclude(status__in=PaymentDispute.CLOSED_STATUSES)
            .order_by("date_created"),
            recent_days=self.RECENT_DAYS,
            **kwargs,
        )
