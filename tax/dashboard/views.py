"""Staff pages: the rate table (list, add, edit with ZIP-prefix rates, delete, each change kept in
the table's history) and the report with its CSV. Access is checked by TaxDashboardConfig's
permissions_map (Oscar's dashboard decorator)."""

import csv
import io

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from tax.forms import LocalRateFormSet, ReportForm, StateRateForm, state_datalist
from tax.models import RateChange, StateRate
from tax.report import tax_report
from tax.service import percent
from tax.states import state_name

# A cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class RateListView(TemplateView):
    template_name = "tax/dashboard/rate_list.html"

    def get_context_data(self, **kwargs):
        rates = list(StateRate.objects.prefetch_related("local_rates"))
        return super().get_context_data(
            rates=rates,
            collecting=[rate for rate in rates if rate.collects],
            changes=RateChange.objects.select_related("user")[:20],
            **kwargs,
        )


class RateEditMixin:
    template_name = "tax/dashboard/rate_form.html"

    def get_object(self):
        return None

    def get(self, request, *args, **kwargs):
        instance = self.get_object()
        return self.render(StateRateForm(instance=instance), LocalRateFormSet(instance=instance, prefix="local"))

    def post(self, request, *args, **kwargs):
        instance = self.get_object()
        before = snapshot(instance)
        form = StateRateForm(request.POST, instance=instance)
        formset = LocalRateFormSet(request.POST, instance=instance or StateRate(), prefix="local")
        form_ok = form.is_valid()
        if not (form_ok and formset.is_valid()):
            messages.error(request, "Nothing was saved: please correct the fields marked below.")
            return self.render(form, formset, status=400)
        try:
            with transaction.atomic():
                rate = form.save()
                formset.instance = rate
                formset.save()
                summary = describe_change(before, snapshot(rate))
                if summary:
                    RateChange.objects.create(state=rate.state, user=request.user, summary=summary)
        except IntegrityError:
            messages.error(
                request, "Someone saved these rates at the same moment, or a ZIP prefix is taken: nothing was saved."
            )
            return self.render(form, formset, status=409)
        messages.success(request, f"{rate.name}: saved. The next checkout uses these rates.")
        return HttpResponseRedirect(reverse("tax-dashboard:rate-list"))

    def render(self, form, formset, status=200):
        instance = form.instance if form.instance.pk else None
        context = {
            "form": form,
            "formset": formset,
            "rate": instance,
            "states": state_datalist(),
            "changes": RateChange.objects.filter(state=instance.state).select_related("user")[:20] if instance else [],
        }
        return self.response_class(request=self.request, template=[self.template_name], context=context, status=status)

    response_class = TemplateView.response_class


class RateCreateView(RateEditMixin, View):
    pass


class RateUpdateView(RateEditMixin, View):
    def get_object(self):
        return get_object_or_404(StateRate, state=self.kwargs["state"].upper())


class RateDeleteView(View):
    template_name = "tax/dashboard/rate_confirm_delete.html"

    def get(self, request, state):
        rate = get_object_or_404(StateRate, state=state.upper())
        return TemplateView.response_class(request=request, template=[self.template_name], context={"rate": rate})

    def post(self, request, state):
        with transaction.atomic():
            rate = get_object_or_404(StateRate.objects.select_for_update(), state=state.upper())
            rate.delete()
            RateChange.objects.create(
                state=rate.state, user=request.user, summary=f"Removed {rate.name} from the rate table: no tax there."
            )
        messages.success(request, f"{rate.name} removed: orders there pay no sales tax from now on.")
        return HttpResponseRedirect(reverse("tax-dashboard:rate-list"))


def snapshot(rate):
    """What a change is measured against: the state's fields and its ZIP-prefix rates."""
    if rate is None or not rate.pk:
        return None
    return {
        "state": rate.state,
        "collects": rate.collects,
        "rate": rate.rate,
        "shipping_taxable": rate.shipping_taxable,
        "local": {local.zip_prefix: (local.name, local.rate) for local in rate.local_rates.all()},
    }


def describe_change(before, after):
    """The history line for a save: what was added, changed or removed, in words."""

    def local_text(prefix, name, rate):
        return f"ZIP {prefix}{' ' + name if name else ''} at {percent(rate)}"

    def yes_no(value):
        return "yes" if value else "no"

    if before is None:
        parts = [
            f"Added {state_name(after['state'])}: {'collects' if after['collects'] else 'does not collect'}, "
            f"{percent(after['rate'])}, shipping {'taxed' if after['shipping_taxable'] else 'not taxed'}"
        ]
        parts += [f"added {local_text(prefix, *value)}" for prefix, value in sorted(after["local"].items())]
        return "; ".join(parts) + "."
    parts = []
    if before["collects"] != after["collects"]:
        parts.append(f"collects: {yes_no(before['collects'])} → {yes_no(after['collects'])}")
    if before["rate"] != after["rate"]:
        parts.append(f"state rate {percent(before['rate'])} → {percent(after['rate'])}")
    if before["shipping_taxable"] != after["shipping_taxable"]:
        parts.append(f"shipping taxable: {yes_no(before['shipping_taxable'])} → {yes_no(after['shipping_taxable'])}")
    for prefix in sorted(set(before["local"]) | set(after["local"])):
        old, new = before["local"].get(prefix), after["local"].get(prefix)
        if old == new:
            continue
        if old is None:
            parts.append(f"added {local_text(prefix, *new)}")
        elif new is None:
            parts.append(f"removed {local_text(prefix, *old)}")
        else:
            renamed = f" ({new[0] or 'no area name'})" if new[0] != old[0] else ""
            parts.append(f"{local_text(prefix, *old)} → {percent(new[1])}{renamed}")
    if not parts:
        return ""
    return f"{state_name(after['state'])}: " + "; ".join(parts) + "."


class ReportView(TemplateView):
    template_name = "tax/dashboard/report.html"

    def get_context_data(self, **kwargs):
        form = ReportForm(self.request.GET or None, today=timezone.localdate())
        report = tax_report(**report_filters(form))
        return super().get_context_data(
            form=form, report=report, states=state_datalist(), querystring=self.request.GET.urlencode(), **kwargs
        )


def report_filters(form):
    """The filters of a valid form; the default months (the last twelve) when it is empty or wrong."""
    if not form.is_bound:
        form = ReportForm({}, today=form.today)
    if form.is_valid():
        data = form.cleaned_data
        return {"start": data["start"], "end": data["end"], "state": data["state"]}
    fallback = ReportForm({}, today=form.today)
    fallback.is_valid()
    return {"start": fallback.cleaned_data["start"], "end": fallback.cleaned_data["end"], "state": ""}


CSV_COLUMNS = [
    "month", "state", "state_name", "orders", "sales_before_tax", "taxable_sales", "tax_collected", "tax_refunded",
    "net_tax",
]  # fmt: skip


class ReportCsvView(View):
    def get(self, request):
        form = ReportForm(request.GET or None, today=timezone.localdate())
        filters = report_filters(form)
        report = tax_report(**filters)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for row in report.rows:
            writer.writerow(
                [
                    f"{row.month:%Y-%m}",
                    text_cell(row.state),
                    text_cell(row.state_label),
                    row.orders,
                    row.sales,
                    row.taxable,
                    row.tax,
                    row.refunded_tax,
                    row.net_tax,
                ]  # fmt: skip
            )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        name = f"sales-tax-{filters['start']:%Y-%m}-to-{filters['end']:%Y-%m}"
        if filters["state"]:
            name += f"-{filters['state']}"
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        response["Cache-Control"] = "no-store"
        return response


def text_cell(text):
    """Words (a state as a shopper typed it, for old orders) never run as a spreadsheet formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
