"""Staff views: who is on the list, a CSV of it, and a manual unsubscribe. Access is checked by
NewsletterDashboardConfig.permissions_map (Oscar's dashboard decorator)."""

import csv
import io
from datetime import datetime

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from newsletter import services
from newsletter.forms import SubscriberSearchForm
from newsletter.models import Subscriber

EXPORT_FIELDS = [
    "email", "status", "source", "consent_version", "consent_text", "signed_up_at", "signup_ip",
    "confirmed_at", "confirmation_ip", "unsubscribed_at",
]
EXPORT_BATCH = 1000
# A cell starting with one of these is a formula to a spreadsheet; an email address may start with "=".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def search_form(request):
    article_sources = (
        Subscriber.objects.filter(source__startswith="article:")
        .order_by("source")
        .values_list("source", flat=True)
        .distinct()
    )
    return SubscriberSearchForm(request.GET, article_sources=article_sources)


class SubscriberListView(ListView):
    template_name = "newsletter/dashboard/subscriber_list.html"
    context_object_name = "subscribers"
    paginate_by = 50

    def get_queryset(self):
        self.form = search_form(self.request)
        return self.form.filter(Subscriber.objects.defer("consent_text"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = Subscriber.objects.status_counts()
        context.update(
            form=self.form,
            status_counts=[(value, label, counts[value]) for value, label in Subscriber.Status.choices],
            total_count=sum(counts.values()),
            querystring=self.request.GET.urlencode(),
        )
        return context


class SubscriberExportView(View):
    """Streams the filtered list as CSV, a batch of rows at a time, so 100 000 subscribers never sit
    in memory at once (QuerySet.iterator skips the queryset cache)."""

    def get(self, request):
        form = SubscriberSearchForm(request.GET)  # the list's filters; no need for the source menu here
        rows = form.filter(Subscriber.objects.order_by("pk")).values_list(*EXPORT_FIELDS)
        response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
        filename = f"subscribers-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


def csv_chunks(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for count, row in enumerate(rows.iterator(chunk_size=EXPORT_BATCH), start=1):
        writer.writerow([csv_cell(value) for value in row])
        if count % EXPORT_BATCH == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _drain(buffer):
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


class SubscriberUnsubscribeView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        subscriber = get_object_or_404(Subscriber.objects.select_for_update(), pk=pk)
        services.mark_unsubscribed(subscriber)
        messages.success(request, _("%(email)s is unsubscribed.") % {"email": subscriber.email})
        next_url = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts=set()):  # a path on this site only
            return redirect(next_url)
        return redirect("newsletter-dashboard:subscriber-list")
