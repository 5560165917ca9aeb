from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Lower
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class SubscriberQuerySet(models.QuerySet):
    def with_email(self, email):
        """Match an address case-insensitively. Both sides go through the database's LOWER so the
        lookup agrees with the unique constraint (Python and SQLite lowercase differently)."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=Lower(Value(email)))

    def search(self, *, query="", status="", source=""):
        qs = self
        if query:
            qs = qs.filter(email__icontains=query)
        if status:
            qs = qs.filter(status=status)
        if source == "article":
            qs = qs.filter(source__startswith="article:")
        elif source:
            qs = qs.filter(source=source)
        return qs

    def mailable(self):
        """Confirmed subscribers whose address is not suppressed: whom marketing email may reach."""
        return self.filter(status=Subscriber.Status.SUBSCRIBED).alias(
            suppressed=Exists(Suppression.objects.filter(email=Lower(OuterRef("email"))))
        ).filter(suppressed=False)

    def with_suppression(self):
        """Each subscriber with `suppression_reason`: why their address is suppressed, or None."""
        reasons = Suppression.objects.filter(email=Lower(OuterRef("email"))).values("reason")[:1]
        return self.annotate(suppression_reason=models.Subquery(reasons))

    def status_counts(self):
        """{status: count} for every status, zeros included, in one query."""
        return self.aggregate(**{value: Count("pk", filter=Q(status=value)) for value in Subscriber.Status.values})


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        SUBSCRIBED = "subscribed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    email = models.EmailField(
        max_length=254, help_text=_("Stored with a lowercase domain; unique whatever the case.")
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    source = models.CharField(
        max_length=255, db_index=True, help_text=_("Where they signed up: footer, checkout or article:<slug>.")
    )

    # The consent record of the latest sign-up request: what they were shown, when, from where.
    consent_version = models.CharField(max_length=40)
    consent_text = models.TextField(help_text=_("The exact words shown next to the sign-up."))
    signed_up_at = models.DateTimeField()
    signup_ip = models.GenericIPAddressField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_ip = models.GenericIPAddressField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    confirmation_sent_at = models.DateTimeField(
        null=True, blank=True, help_text=_("At most one sign-up email per address per NEWSLETTER_EMAIL_INTERVAL.")
    )
    confirmation_key = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Signed into confirmation links; cleared once used, so a link works only once."),
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_up_at", "-pk"]
        # The dashboard's newest-first list must not sort the whole table for every page.
        indexes = [models.Index(fields=["-signed_up_at", "-id"], name="newsletter_signed_up_idx")]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="newsletter_subscriber_email_ci_unique",
                violation_error_message=_("This address is already on the list."),
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_status_display()})"


def email_key(email):
    """The one spelling of an address that suppression and reminders compare: all lowercase."""
    return (email or "").strip().lower()


class SuppressionQuerySet(models.QuerySet):
    def for_email(self, email):
        return self.filter(email=email_key(email))


class Suppression(models.Model):
    """An address no marketing email (campaigns, checkout reminders) may go to again.

    Written by the provider's tracking webhook (hard bounce, spam complaint), by the opt-out link
    of a checkout reminder (an address that is not on the list), or by staff. Keyed by the
    lowercased address so it also covers shoppers who never subscribed.
    """

    class Reason(models.TextChoices):
        BOUNCE = "bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        UNSUBSCRIBED = "unsubscribed", _("Opted out of marketing email")
        MANUAL = "manual", _("Added by staff")

    email = models.CharField(max_length=254, unique=True, help_text=_("Lowercase; compared with LOWER(email)."))
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=500, blank=True, help_text=_("What the provider said, if anything."))
    delivery = models.ForeignKey(
        "CampaignDelivery", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text=_("The campaign message that bounced or was reported, when known."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.email} ({self.get_reason_display()})"

    def save(self, *args, **kwargs):
        self.email = email_key(self.email)
        super().save(*args, **kwargs)


class CampaignQuerySet(models.QuerySet):
    def due(self, now):
        return self.filter(status=Campaign.Status.SCHEDULED, scheduled_at__lte=now)


class Campaign(models.Model):
    """One issue of the newsletter: written and scheduled in the dashboard, sent by the worker."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        CANCELED = "canceled", _("Canceled")

    EDITABLE = (Status.DRAFT, Status.SCHEDULED)

    subject = models.CharField(max_length=200, blank=True)
    preview_text = models.CharField(
        max_length=200, blank=True,
        help_text=_("The line inboxes show after the subject. Leave empty to let the mail app pick."),
    )
    body = models.TextField(
        blank=True, help_text=_("Unsafe HTML (scripts, event handlers, javascript: links) is removed when you save.")
    )
    audience = models.CharField(
        max_length=255, blank=True,
        help_text=_("Empty: every confirmed subscriber. Otherwise a sign-up source: footer, checkout, article or "
                    "article:<slug>."),
    )
    utm_campaign = models.SlugField(
        "UTM campaign", max_length=100, blank=True,
        help_text=_("Added as utm_campaign to every link to the store. Leave empty to make it from the subject."),
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recipients_ready = models.BooleanField(
        default=False, editable=False, help_text=_("Every delivery row exists: sending may begin.")
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("Last sign of life of a worker sending it.")
    )
    last_error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    articles = models.ManyToManyField("content_pages.Article", through="CampaignArticle", blank=True)
    videos = models.ManyToManyField("content_pages.TutorialVideo", through="CampaignVideo", blank=True)
    products = models.ManyToManyField("catalogue.Product", through="CampaignProduct", blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("send_campaign", "Can send newsletter campaigns")]

    def __str__(self):
        return self.subject or gettext("(no subject)")

    def save(self, *args, **kwargs):
        from content_pages.sanitize import sanitize_html

        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    @property
    def utm_slug(self):
        return self.utm_campaign or slugify(self.subject)[:90] or f"campaign-{self.pk}"

    def audience_label(self):
        return audience_label(self.audience)

    def audience_queryset(self):
        """The confirmed subscribers this campaign goes to, less suppressed addresses."""
        return Subscriber.objects.mailable().search(source=self.audience)


def audience_label(audience):
    labels = {"": _("All confirmed subscribers"), "footer": _("Signed up in the footer"),
              "checkout": _("Signed up at checkout"), "article": _("Signed up on any article")}
    if audience in labels:
        return labels[audience]
    return _("Signed up on the article %(slug)s") % {"slug": audience.partition(":")[2]}


class CampaignArticle(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="article_links")
    article = models.ForeignKey("content_pages.Article", on_delete=models.CASCADE, related_name="+")
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "article"], name="unique_campaign_article")]

    def __str__(self):
        return f"{self.campaign} -> {self.article}"


class CampaignVideo(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="video_links")
    video = models.ForeignKey("content_pages.TutorialVideo", on_delete=models.CASCADE, related_name="+")
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "video"], name="unique_campaign_video")]

    def __str__(self):
        return f"{self.campaign} -> {self.video}"


class CampaignProduct(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="product_links")
    product = models.ForeignKey("catalogue.Product", on_delete=models.CASCADE, related_name="+")
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "product"], name="unique_campaign_product")]

    def __str__(self):
        return f"{self.campaign} -> {self.product}"


class CampaignDelivery(models.Model):
    """One campaign message to one subscriber: created before anything is sent, marked after.

    A worker claims a batch of pending rows (claim + claimed_at), marks each row `attempted_at`
    just before handing it to the provider and `sent` just after, one row at a time. A row whose
    worker died therefore tells what happened: no attempted_at, never sent (it goes back to
    pending); attempted_at but not sent, in doubt (it is not sent again: nobody gets two copies).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (unsubscribed or suppressed meanwhile)")
        UNKNOWN = "unknown", _("In doubt (the worker stopped while handing it over)")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    email = models.CharField(max_length=254)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    claim = models.CharField(max_length=32, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "subscriber"], name="newsletter_one_delivery_per_subscriber")
        ]
        # The worker's query: the campaign's pending rows, oldest first.
        indexes = [models.Index(fields=["campaign", "status", "id"], name="newsletter_delivery_queue")]

    def __str__(self):
        return f"{self.campaign_id} -> {self.email} ({self.status})"


class EmailEvent(models.Model):
    """A bounce, complaint or unsubscribe the provider reported (its tracking webhook), kept once:
    the event id makes a repeated delivery of the same event change nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=30)
    email = models.CharField(max_length=254)
    detail = models.CharField(max_length=500, blank=True)
    delivery = models.ForeignKey(CampaignDelivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return f"{self.event_type} {self.email}"


class CheckoutReminder(models.Model):
    """The one reminder a basket left on the payment page gets (newsletter/reminders.py)."""

    basket = models.OneToOneField("basket.Basket", on_delete=models.CASCADE, related_name="checkout_reminder")
    payment = models.ForeignKey(
        "checkout.CheckoutPayment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.CharField(max_length=254)
    sent_at = models.DateTimeField(auto_now_add=True)
    restored_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Last time its link brought the basket back.")
    )
    restored_basket_id = models.IntegerField(
        null=True, blank=True, help_text=_("The basket the link copied the lines into (it may be a new one).")
    )
    order = models.ForeignKey(
        "order.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text=_("The order placed from this basket, or from the one its link restored, after the reminder."),
    )

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"Reminder for basket {self.basket_id} to {self.email}"
