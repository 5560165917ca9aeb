"""Staff pages after placement: the order page's shipping, status, cancel and return forms, the
order list's bulk actions, orders to ship (with a CSV export), shipping several orders at once,
the tracking-number CSV upload and packing slips.

Views stay thin: every change goes through fulfilment.services (one order) or fulfilment.bulk
(several), which lock the order and refuse with a message instead of failing.
"""

import csv
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, ListView, TemplateView
from oscar.core.loading import get_classes, get_model
from oscar.core.utils import safe_referrer
from oscar.templatetags.currency_filters import currency as format_currency

from checkout import refunds
from fulfilment import bulk, services, statuses
from fulfilment.forms import CancelForm, ReturnForm, ShipForm, StatusForm, TrackingUploadForm
from fulfilment.processing import EventHandler

OscarOrderDetailView, OscarOrderListView, queryset_orders_for_user = get_classes(
    "dashboard.orders.views", ["OrderDetailView", "OrderListView", "queryset_orders_for_user"]
)
Order = get_model("order", "Order")

CHANGE_ORDERS = "order.change_order"
# Pages that act on several orders at once take at most this many.
MAX_SELECTED = 100
# An order waiting longer than this to ship stands out on the orders-to-ship page.
LATE_AFTER_DAYS = 2


def require_change_permission(user):
    if not user.has_perm(CHANGE_ORDERS):
        raise PermissionDenied


@dataclass
class Panel:
    """What the order page shows and offers for fulfilment, with the forms (bound after an error)."""

    order: object
    status_form: StatusForm
    ship_form: ShipForm
    cancel_form: CancelForm
    return_form: ReturnForm
    shipments: list = field(default_factory=list)
    refundable: Decimal | None = None
    returnable: dict = field(default_factory=dict)  # line id: quantity shipped and not returned yet

    @property
    def can_ship(self):
        return self.order.status in statuses.NOT_SHIPPED and not self.shipments

    @property
    def can_cancel(self):
        return self.order.status in statuses.NOT_SHIPPED

    @property
    def can_return(self):
        return any(self.returnable.values())

    @property
    def is_final(self):
        return not self.order.available_statuses()


def order_panel(order, **forms):
    shipments = list(order.shipments.select_related("event"))
    returnable = {}
    if shipments:
        for line in order.lines.all():
            returnable[line.pk] = services.shipped_quantities(line) - services.returned_quantities(line)
    return Panel(
        order=order,
        status_form=forms.get("status_form") or StatusForm(order),
        ship_form=forms.get("ship_form") or ShipForm(),
        cancel_form=forms.get("cancel_form") or CancelForm(),
        return_form=forms.get("return_form") or ReturnForm(),
        shipments=shipments,
        refundable=refunds.amount_refundable(order),
        returnable=returnable,
    )


class OrderDetailView(OscarOrderDetailView):
    """Oscar's order page. Its catch-all line actions (any line status, any shipping or payment
    event) are replaced by the steps of the pipeline, so stock, emails and statuses never part."""

    handler_class = EventHandler
    order_actions = ("save_note", "delete_note", "change_order_status", "ship_order", "cancel_order")
    line_actions = ("record_return",)
    changing_actions = {"change_order_status", "ship_order", "cancel_order", "record_return"}

    def post(self, request, *args, **kwargs):
        action = request.POST.get("order_action") or request.POST.get("line_action")
        if action in self.changing_actions:
            require_change_permission(request.user)
        return super().post(request, *args, **kwargs)

    def get_order_status_form(self):
        return StatusForm(self.object)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["fulfilment"] = kwargs.get("fulfilment") or order_panel(self.object)
        return ctx

    def refuse(self, **forms):
        """The page again, with the form that was sent, what was typed and why it was refused."""
        ctx = self.get_context_data(fulfilment=order_panel(self.object, **forms))
        return self.render_to_response(ctx, status=400)

    def change_order_status(self, request, order):
        new_status = request.POST.get("new_status", "")
        try:
            services.change_status(order, new_status, user=request.user)
        except services.AlreadyDone as done:
            messages.info(request, str(done))
        except services.FulfilmentError as error:
            messages.error(request, str(error))
        else:
            told = " The customer has been emailed." if new_status == statuses.DELIVERED else ""
            messages.success(request, f"Order {order.number} is now {new_status}.{told}")
        return self.reload_page()

    def ship_order(self, request, order):
        form = ShipForm(request.POST)
        if not form.is_valid():
            return self.refuse(ship_form=form)
        try:
            shipment = services.ship_order(order, user=request.user, **form.cleaned_data)
        except services.AlreadyDone as done:
            messages.info(request, str(done))
        except services.FulfilmentError as error:
            form.add_error(None, str(error))
            return self.refuse(ship_form=form)
        else:
            messages.success(
                request,
                f"Order {order.number} is shipped with {shipment.carrier_display}, tracking number "
                f"{shipment.tracking_number}. The customer has been emailed the tracking link.",
            )
        return self.reload_page()

    def cancel_order(self, request, order):
        form = CancelForm(request.POST)
        if not form.is_valid():
            return self.refuse(cancel_form=form)
        try:
            cancellation = services.cancel_order(order, user=request.user, reason=form.cleaned_data["reason"])
        except services.FulfilmentError as error:
            form.add_error(None, str(error))
            return self.refuse(cancel_form=form)
        refunded = cancellation.refunded
        if refunded is None:
            messages.warning(
                request,
                f"Order {order.number} is cancelled and its stock is back on sale. It was not paid through the "
                "store's checkout, so nothing was refunded here: refund it by hand if it was paid.",
            )
        else:
            money = f"{format_currency(refunded, order.currency)} refunded" if refunded else "nothing left to refund"
            told = "The customer has been emailed."
            messages.success(request, f"Order {order.number} is cancelled, its stock is back on sale, {money}. {told}")
        return self.reload_page()

    def record_return(self, request, order, lines, quantities):
        form = ReturnForm(request.POST)
        if not form.is_valid():
            return self.refuse(return_form=form)
        restock = form.cleaned_data["restock"] == ReturnForm.RESTOCK
        try:
            services.record_return(
                order,
                list(zip(lines, quantities, strict=True)),
                restock=restock,
                user=request.user,
                refund_amount=form.cleaned_data["refund_amount"],
                refund_token=form.cleaned_data["token"],
            )
        except services.FulfilmentError as error:
            form.add_error(None, str(error))
            return self.refuse(return_form=form)
        stock = "put back in stock" if restock else "not put back in stock"
        refund = form.cleaned_data["refund_amount"]
        refunded = ""
        if refund:
            refunded = f", {format_currency(refund, order.currency)} refunded (the customer has been emailed)"
        messages.success(request, f"Return recorded on order {order.number}: {stock}{refunded}.")
        return self.reload_page()


class OrderListView(OscarOrderListView):
    """Oscar's order list: its status change goes through the pipeline, and selected orders can
    be shipped together or get their packing slips printed."""

    actions = ("download_selected_orders", "change_order_statuses", "ship_selected_orders", "print_packing_slips")
    changing_actions = {"change_order_statuses", "ship_selected_orders"}

    def post(self, request, *args, **kwargs):
        if request.POST.get(self.action_param, "").lower() in self.changing_actions:
            require_change_permission(request.user)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["one_click_statuses"] = StatusForm.ONE_CLICK
        return ctx

    def change_order_statuses(self, request, orders):
        new_status = request.POST.get("new_status", "").strip()
        changed, problems = [], []
        for order in orders.order_by("date_placed", "pk"):
            try:
                services.change_status(order, new_status, user=request.user)
            except services.FulfilmentError as error:
                problems.append(str(error))
            else:
                changed.append(order.number)
        if changed:
            messages.success(request, f"Now {new_status}: order{'s' if len(changed) > 1 else ''} {', '.join(changed)}.")
        for problem in problems[:10]:
            messages.error(request, problem)
        if len(problems) > 10:
            messages.error(request, f"And {len(problems) - 10} more orders could not change.")
        return redirect(safe_referrer(request, reverse("dashboard:order-list")))

    def ship_selected_orders(self, request, orders):
        return self.open_with(request, "dashboard:order-ship-selected", orders)

    def print_packing_slips(self, request, orders):
        return self.open_with(request, "dashboard:order-packing-slips", orders)

    def open_with(self, request, url_name, orders):
        numbers = list(orders.order_by("date_placed", "pk").values_list("number", flat=True)[: MAX_SELECTED + 1])
        if len(numbers) > MAX_SELECTED:
            messages.error(request, f"Choose at most {MAX_SELECTED} orders at a time.")
            return redirect(safe_referrer(request, reverse("dashboard:order-list")))
        return redirect(reverse(url_name) + "?" + urlencode([("number", number) for number in numbers]))


def orders_to_ship(user):
    """Paid and not shipped yet, oldest first: the order in which they should leave."""
    return queryset_orders_for_user(user).filter(status__in=statuses.NOT_SHIPPED).order_by("date_placed", "pk")


class OrdersToShipView(ListView):
    template_name = "fulfilment/dashboard/orders_to_ship.html"
    extra_context = {"page_name": "Orders to ship"}
    context_object_name = "orders"
    paginate_by = 50

    CSV_COLUMNS = (
        "order_number", "placed", "shipping_method", "name", "line1", "line2", "line3", "city", "state",
        "postcode", "country", "phone", "email", "items", "instructions", "carrier", "tracking_number",
    )  # fmt: skip

    def get_queryset(self):
        return orders_to_ship(self.request.user).prefetch_related("lines")

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv_response(self.get_queryset())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        now = timezone.now()
        return super().get_context_data(
            now=now,
            late_before=now - timedelta(days=LATE_AFTER_DAYS),
            late_after_days=LATE_AFTER_DAYS,
            one_click_statuses=StatusForm.ONE_CLICK,
            **kwargs,
        )

    def csv_response(self, orders):
        """The orders to ship for a label printer or a spreadsheet. The carrier and tracking_number
        columns are left empty: filled in, the same file can be uploaded to ship the orders."""
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"orders-to-ship-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.write("\ufeff")  # Excel reads UTF-8 (names with accents) only with a BOM
        writer = csv.writer(response)
        writer.writerow(self.CSV_COLUMNS)
        for order in orders.iterator(chunk_size=200):
            address = order.shipping_address
            writer.writerow(
                [
                    _cell(value)
                    for value in (
                        order.number,
                        timezone.localtime(order.date_placed).strftime("%Y-%m-%d %H:%M"),
                        order.shipping_method,
                        address.name if address else "",
                        getattr(address, "line1", ""),
                        getattr(address, "line2", ""),
                        getattr(address, "line3", ""),
                        getattr(address, "line4", ""),
                        getattr(address, "state", ""),
                        getattr(address, "postcode", ""),
                        address.country_id if address else "",
                        str(getattr(address, "phone_number", "") or ""),
                        order.email,
                        "; ".join(f"{line.quantity} x {line.title} ({line.partner_sku})" for line in order.lines.all()),
                        getattr(address, "notes", ""),
                        "",
                        "",
                    )
                ]
            )
        return response


def _cell(value):
    """A cell a spreadsheet shows as text, never runs as a formula (a shopper typed the address)."""
    text = str(value or "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class ShipOrdersView(TemplateView):
    """Several orders on one page, a carrier and tracking number each. Each good row ships; the
    page comes back with the rows refused (what was typed, and why) and those left empty."""

    template_name = "fulfilment/dashboard/ship_orders.html"
    extra_context = {"page_name": "Ship orders"}

    def orders(self, numbers):
        numbers = [str(n)[:128] for n in numbers][:MAX_SELECTED]
        return list(orders_to_ship(self.request.user).filter(number__in=numbers).prefetch_related("lines"))

    def get(self, request, *args, **kwargs):
        orders = self.orders(request.GET.getlist("number"))
        if not orders:
            messages.info(request, "None of those orders is waiting to ship.")
            return redirect("dashboard:order-to-ship")
        return self.render_to_response(self.get_context_data(rows=[(o, ShipForm(prefix=o.number), "") for o in orders]))

    def post(self, request, *args, **kwargs):
        orders = self.orders(request.POST.getlist("number"))
        rows = [
            bulk.Row(
                line=order.number,
                order_number=order.number,
                carrier=request.POST.get(f"{order.number}-carrier", ""),
                carrier_name=request.POST.get(f"{order.number}-carrier_name", ""),
                tracking_number=request.POST.get(f"{order.number}-tracking_number", ""),
                from_page=True,
            )
            for order in orders
        ]
        report = bulk.ship_rows(rows, user=request.user, orders=queryset_orders_for_user(request.user))
        if report.shipped:
            numbers = ", ".join(row.order_number for row, _shipment in report.shipped)
            messages.success(request, f"Shipped and emailed: {numbers}.")
        errors = report.errors_by_order
        left = self.orders([order.number for order in orders])
        if not left:
            return redirect("dashboard:order-to-ship")
        context = self.get_context_data(
            rows=[(o, ShipForm(request.POST, prefix=o.number), errors.get(o.number, "")) for o in left]
        )
        return self.render_to_response(context, status=400 if errors else 200)


class TrackingUploadView(FormView):
    """A CSV of order numbers, carriers and tracking numbers ships many orders at once."""

    template_name = "fulfilment/dashboard/tracking_upload.html"
    form_class = TrackingUploadForm
    extra_context = {"page_name": "Upload tracking numbers"}

    def form_valid(self, form):
        try:
            rows = bulk.read_csv(form.cleaned_data["file"])
        except bulk.FileRefused as refused:
            form.add_error("file", str(refused))
            return self.form_invalid(form)
        report = bulk.ship_rows(rows, user=self.request.user, orders=queryset_orders_for_user(self.request.user))
        return self.render_to_response(self.get_context_data(form=self.form_class(), report=report))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(columns=bulk.COLUMNS, max_rows=bulk.MAX_ROWS, **kwargs)


class PackingSlipsView(TemplateView):
    """One packing slip per order, to print: what goes in the parcel and where it goes. No prices,
    so a parcel sent as a gift gives nothing away."""

    template_name = "fulfilment/dashboard/packing_slips.html"

    def get_context_data(self, **kwargs):
        numbers = [kwargs["number"]] if "number" in kwargs else self.request.GET.getlist("number")
        numbers = [str(n)[:128] for n in numbers][:MAX_SELECTED]
        orders = list(
            queryset_orders_for_user(self.request.user)
            .filter(number__in=numbers)
            .order_by("date_placed", "pk")
            .prefetch_related("lines")
        )
        if not orders:
            raise Http404("No such order")
        return super().get_context_data(
            orders=orders, shop_name=settings.OSCAR_SHOP_NAME, site_url=settings.SITE_URL, **kwargs
        )
