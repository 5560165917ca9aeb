from django.db import models


class ReviewRequest(models.Model):
    """The one review request an order gets (unique: two workers at once send one email)."""

    order = models.OneToOneField("order.Order", on_delete=models.CASCADE, related_name="review_request")
    email = models.EmailField(help_text="Where the request went.")
    date_sent = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-date_sent"]

    def __str__(self):
        return f"Review request for order {self.order_id} to {self.email}"


class ReviewOptOutQuerySet(models.QuerySet):
    def for_email(self, email):
        return self.filter(email=normalize(email))


class ReviewOptOut(models.Model):
    """An address that asked for no more review requests (the link in one of them)."""

    email = models.EmailField(unique=True, help_text="Stored in lower case.")
    date_created = models.DateTimeField(auto_now_add=True)

    objects = ReviewOptOutQuerySet.as_manager()

    class Meta:
        verbose_name = "review request opt-out"

    def __str__(self):
        return self.email


def normalize(email):
    return (email or "").strip().lower()
