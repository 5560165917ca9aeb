"""Staff views: who is on the list (a CSV of it, a manual unsubscribe), campaigns (write, preview,
test, schedule, send, pause, resume, cancel, figures), suppressed addresses and checkout
reminders. Access is checked by NewsletterDashboardConfig.permissions_map (Oscar's dashboard
decorator); the flows live in newsletter.sending and newsletter.services."""

import csv
import io
from datetime import datetime

from csp.decorators import csp_replace, csp_update
from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from newsletter import sending, services
from newsletter.forms import SubscriberSearchForm
from newsletter.models import Campaign, CampaignDelivery, CheckoutReminder, Subscriber, Suppression
from newsletter.rendering import render_campaign
from newsletter.webhooks import provider_configured

from .forms import CARD_FORMSETS, CampaignForm, ScheduleForm, SuppressionForm, SuppressionSearchForm, TestSendForm

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
        return self.form.filter(Subscriber.objects.defer("consent_text").with_suppression())

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


# Campaigns
# ---------


class CampaignListView(ListView):
    template_name = "newsletter/dashboard/campaign_list.html"
    context_object_name = "campaigns"
    paginate_by = 25

    def get_queryset(self):
        return Campaign.objects.annotate(
            recipients=Count("deliveries"),
            sent=Count("deliveries", filter=Q(deliveries__status=CampaignDelivery.Status.SENT)),
        ).order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["mailable_count"] = Subscriber.objects.mailable().count()
        # Without the provider's webhook nobody hears of bounces: say so where staff send from.
        context["bounces_unheard"] = not settings.DEBUG and not (
            settings.EMAIL_DELIVERY_BACKEND.startswith("anymail.") and provider_configured()
        )
        context["postal_address_missing"] = not settings.NEWSLETTER_POSTAL_ADDRESS.strip()
        return context


class CampaignEditMixin:
    model = Campaign
    form_class = CampaignForm
    template_name = "newsletter/dashboard/campaign_form.html"

    def get_formsets(self, instance):
        data = self.request.POST if self.request.method == "POST" else None
        return {name: cls(data, instance=instance, prefix=name) for name, cls in CARD_FORMSETS.items()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formsets", self.get_formsets(self.object or Campaign()))
        return context

    def form_valid(self, form):
        formsets = self.get_formsets(form.instance)
        if not all(fs.is_valid() for fs in formsets.values()):
            messages.error(self.request, _("Some cards need attention; nothing was saved yet."))
            return self.render_to_response(self.get_context_data(form=form, formsets=formsets))
        if form.instance.pk is None:
            form.instance.created_by = self.request.user
        self.object = form.save()
        for formset in formsets.values():
            formset.instance = self.object
            formset.save()
        messages.success(self.request, _("“%(campaign)s” saved.") % {"campaign": self.object})
        if "preview" in self.request.POST:
            return redirect("newsletter-dashboard:campaign-preview", pk=self.object.pk)
        return redirect("newsletter-dashboard:campaign-detail", pk=self.object.pk)

    def form_invalid(self, form):
        messages.error(self.request, _("The campaign was not saved: please correct the fields marked below."))
        formsets = self.get_formsets(form.instance)
        for formset in formsets.values():
            formset.is_valid()
        return self.render_to_response(self.get_context_data(form=form, formsets=formsets))


class CampaignCreateView(CampaignEditMixin, CreateView):
    def get_object(self, queryset=None):
        return None


class CampaignUpdateView(CampaignEditMixin, UpdateView):
    def dispatch(self, request, *args, **kwargs):
        campaign = get_object_or_404(Campaign, pk=kwargs["pk"])
        if not campaign.is_editable:
            messages.warning(request, _("A campaign that has started sending can no longer be changed."))
            return redirect("newsletter-dashboard:campaign-detail", pk=campaign.pk)
        return super().dispatch(request, *args, **kwargs)


class CampaignDetailView(DetailView):
    model = Campaign
    template_name = "newsletter/dashboard/campaign_detail.html"
    context_object_name = "campaign"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.object
        context.update(
            figures=sending.figures(campaign),
            problems=sending.problems(campaign) if campaign.is_editable else [],
            audience_count=campaign.audience_queryset().count() if campaign.is_editable else None,
            test_form=TestSendForm(initial={"email": self.request.user.email}),
            schedule_form=ScheduleForm(initial={"send_at": campaign.scheduled_at}),
            can_send=self.request.user.has_perm("newsletter.send_campaign"),
        )
        return context


class CampaignPreviewView(DetailView):
    """The email as a recipient sees it (in a frame, at a computer's or a phone's width) and its plain text."""

    model = Campaign
    template_name = "newsletter/dashboard/campaign_preview.html"
    context_object_name = "campaign"

    @method_decorator(csp_update({"frame-src": ["'self'"]}))
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        html_part, text_part = preview_parts(self.object, self.request.user)
        context.update(
            text_part=text_part, subject=self.object.subject, from_email=settings.DEFAULT_FROM_EMAIL,
            phone=self.request.GET.get("width") == "phone",
        )
        return context


def preview_parts(campaign, user):
    content = render_campaign(campaign)
    # The unsubscribe link goes nowhere here: a preview must not unsubscribe anybody.
    return content.personalise(user.email or "you@example.com", "#unsubscribe")


@method_decorator(xframe_options_sameorigin, name="dispatch")
@method_decorator(
    csp_replace({"frame-ancestors": ["'self'"], "img-src": ["'self'", "data:", "https:"]}),
    name="dispatch",
)
class CampaignPreviewHTMLView(View):
    """The email's HTML alone, for the preview page's frames (no script in it: the body is sanitised,
    and the store's CSP allows none inline). Images may come from https hosts, as in a mail app."""

    def get(self, request, pk):
        campaign = get_object_or_404(Campaign, pk=pk)
        html_part, _text = preview_parts(campaign, request.user)
        return HttpResponse(html_part)


class CampaignTestSendView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        campaign = get_object_or_404(Campaign, pk=pk)
        form = TestSendForm(request.POST)
        if not form.is_valid():
            messages.error(request, form.errors["email"][0])
        elif not campaign.subject.strip():
            messages.error(request, _("Write a subject first: a test without one shows nothing useful."))
        else:
            sending.send_test(campaign, form.cleaned_data["email"])
            messages.success(
                request, _("A test is on its way to %(email)s (subject starts with [Test]).") % form.cleaned_data
            )
        return redirect("newsletter-dashboard:campaign-detail", pk=campaign.pk)


class CampaignActionView(View):
    """Send now, schedule, unschedule, pause, resume, cancel, send the in-doubt messages again."""

    http_method_names = ["post"]
    DONE = {
        "send": _("Sending has started. The figures below update as it goes."),
        "schedule": _("Scheduled."),
        "unschedule": _("No longer scheduled: it is a draft again."),
        "pause": _("Paused. Messages already handed over are sent; the rest wait."),
        "resume": _("Sending again."),
        "cancel": _("Canceled: no more messages will be sent."),
        "resend": _("The messages in doubt will be sent again."),
    }

    def post(self, request, pk, action):
        campaign = get_object_or_404(Campaign, pk=pk)
        try:
            done = self.act(campaign, action)
        except sending.CampaignNotReady as problem:
            for text in problem.problems:
                messages.error(request, text)
            return redirect("newsletter-dashboard:campaign-detail", pk=campaign.pk)
        if done:
            message = self.DONE[action]
            if action == "schedule":
                when = Campaign.objects.get(pk=pk).scheduled_at
                when = date_format(timezone.localtime(when), "DATETIME_FORMAT")
                message = _("Scheduled for %(when)s.") % {"when": when}
            messages.success(request, message)
        else:
            messages.warning(request, _("Nothing changed: the campaign is %(status)s.") % {
                "status": Campaign.objects.get(pk=pk).get_status_display().lower()})
        return redirect("newsletter-dashboard:campaign-detail", pk=campaign.pk)

    def act(self, campaign, action):
        if action == "send":
            return sending.start(campaign.pk)
        if action == "schedule":
            form = ScheduleForm(self.request.POST)
            if not form.is_valid():
                raise sending.CampaignNotReady([_("Choose the date and time to send it.")])
            return sending.schedule(campaign.pk, form.cleaned_data["send_at"])
        handlers = {
            "unschedule": sending.unschedule, "pause": sending.pause, "resume": sending.resume,
            "cancel": sending.cancel, "resend": sending.resend_in_doubt,
        }
        if action not in handlers:
            raise Http404
        return handlers[action](campaign.pk)


class CampaignDeleteView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        campaign = get_object_or_404(Campaign, pk=pk)
        if campaign.status != Campaign.Status.DRAFT:
            messages.error(request, _("Only drafts can be deleted; a sent campaign stays for its figures."))
            return redirect("newsletter-dashboard:campaign-detail", pk=pk)
        campaign.delete()
        messages.success(request, _("Draft deleted."))
        return redirect("newsletter-dashboard:campaign-list")


# Suppressed addresses
# --------------------


class SuppressionListView(ListView):
    template_name = "newsletter/dashboard/suppression_list.html"
    context_object_name = "suppressions"
    paginate_by = 50

    def get_queryset(self):
        self.form = SuppressionSearchForm(self.request.GET)
        queryset = Suppression.objects.select_related("delivery__campaign")
        if self.form.is_valid():
            if self.form.cleaned_data["q"]:
                queryset = queryset.filter(email__icontains=self.form.cleaned_data["q"].strip().lower())
            if self.form.cleaned_data["reason"]:
                queryset = queryset.filter(reason=self.form.cleaned_data["reason"])
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(Suppression.objects.values_list("reason").annotate(n=Count("pk")).order_by())
        context.update(
            form=self.form,
            add_form=SuppressionForm(),
            reason_counts=[(value, label, counts.get(value, 0)) for value, label in Suppression.Reason.choices],
        )
        return context


class SuppressionAddView(View):
    http_method_names = ["post"]

    def post(self, request):
        form = SuppressionForm(request.POST)
        if form.is_valid():
            services.suppress(form.cleaned_data["email"], Suppression.Reason.MANUAL, detail=f"By {request.user}")
            messages.success(request, _("%(email)s will get no more marketing email.") % form.cleaned_data)
        else:
            messages.error(request, form.errors["email"][0])
        return redirect("newsletter-dashboard:suppression-list")


class SuppressionDeleteView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        suppression = get_object_or_404(Suppression, pk=pk)
        suppression.delete()
        messages.success(
            request, _("%(email)s may get marketing email again (if subscribed).") % {"email": suppression.email}
        )
        return redirect("newsletter-dashboard:suppression-list")


# Checkout reminders
# ------------------


class ReminderListView(ListView):
    template_name = "newsletter/dashboard/reminder_list.html"
    context_object_name = "reminders"
    paginate_by = 50

    def get_queryset(self):
        return CheckoutReminder.objects.select_related("order", "payment")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = CheckoutReminder.objects.aggregate(
            sent=Count("pk"),
            restored=Count("pk", filter=Q(restored_at__isnull=False)),
            recovered=Count("pk", filter=Q(order__isnull=False)),
            revenue=Sum("order__total_incl_tax"),
        )
        context["delay_hours"] = settings.NEWSLETTER_CHECKOUT_REMINDER_DELAY / 3600
        context["remind_all"] = settings.NEWSLETTER_REMIND_ALL_CHECKOUTS
        return context
