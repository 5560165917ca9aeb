from django.db import models
from django.db.models import Count, Q, Value
from django.db.models.functions import Lower
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
