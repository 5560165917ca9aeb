from django.conf import settings
from django.db import models
from django.utils import timezone


class CommentQuerySet(models.QuerySet):
    def approved(self):
        """The one definition of "visible to the public"."""
        return self.filter(status=Comment.Status.APPROVED)

    def threads(self):
        return self.filter(parent__isnull=True)


class Comment(models.Model):
    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", "Awaiting email confirmation"
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    article = models.ForeignKey("content_pages.Article", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        help_text="The top-level comment this replies to. Threads are one level deep.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="article_comments",
        help_text="Empty for guests.",
    )
    name = models.CharField(max_length=80)
    email = models.EmailField(help_text="Stored in lower case. Never shown to the public.")
    body = models.TextField("comment", help_text="Plain text; links become nofollow links when shown.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    by_staff = models.BooleanField(
        "staff", default=False, help_text="Written by store staff: shown with a Staff badge."
    )
    notify_on_reply = models.BooleanField(
        default=True, help_text="Email the author when staff reply. The email's unsubscribe link turns it off."
    )
    spam_reason = models.CharField(max_length=40, blank=True, help_text="Why it was caught, e.g. honeypot.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    email_confirmed_at = models.DateTimeField(null=True, blank=True, help_text="When a guest clicked the link.")
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["article", "status", "parent", "created"], name="comment_article_listing")]

    def __str__(self):
        return f"{self.name} on {self.article}: {self.body[:40]}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    @property
    def thread(self):
        return self.parent or self

    @property
    def anchor(self):
        return f"comment-{self.pk}"
