from django.db import models
from django.urls import reverse

from content_pages.sanitize import sanitize_html


class PolicyPage(models.Model):
    """The words staff write on a support page. The figures (shipping prices, the free-shipping
    amount, delivery times, return days) are not here: the page template renders them from
    support.policy around this text, so a page can never contradict checkout."""

    class Slug(models.TextChoices):
        SHIPPING = "shipping", "Shipping"
        RETURNS = "returns", "Returns"
        FAQ = "faq", "FAQ"
        ABOUT = "about", "About"
        CONTACT = "contact", "Contact"

    slug = models.CharField(max_length=20, choices=Slug.choices, unique=True)
    title = models.CharField(max_length=120)
    summary = models.CharField(
        max_length=300,
        blank=True,
        help_text="One sentence under the title; also the page's description for search engines.",
    )
    body = models.TextField(
        blank=True,
        help_text="HTML: headings (h2, h3), paragraphs, lists, links, bold. Scripts, styles and event handlers are "
        "removed when you save. Prices, delivery times and return days are shown by the page itself: don't type them.",
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(f"support:{self.slug}")
