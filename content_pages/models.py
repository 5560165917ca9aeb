import math

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

from .conf import PRODUCT_MODEL
from .sanitize import sanitize_html
from .video import PROVIDER_CHOICES, VideoRef, parse_video_url

WORDS_PER_MINUTE = 200


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The one definition of "visible to the public": published, and its date has come."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=timezone.now())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, help_text="The address: /learn/<slug>/. Letters, digits, -.")
    summary = models.TextField(max_length=500, help_text="One or two sentences for lists, search results and shares.")
    body = models.TextField(
        blank=True,
        help_text="Cite a reference by its number, with pages if you like: [1], [1, p. 1201], [2, pp. 36-37]. "
        "Unsafe HTML (scripts, event handlers, javascript: links) is removed when you save.",
    )
    hero_image = models.ImageField(upload_to="content/articles/%Y/%m/", blank=True)
    hero_alt = models.CharField("hero image description", max_length=200, blank=True)
    author = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    publish_at = models.DateTimeField(
        default=timezone.now, db_index=True, help_text="A future date schedules the article: it goes live then."
    )
    last_reviewed = models.DateField(null=True, blank=True, help_text="When the content was last checked.")
    seo_title = models.CharField(max_length=70, blank=True, help_text="Defaults to the title.")
    seo_description = models.CharField(max_length=160, blank=True, help_text="Defaults to the summary.")
    products = models.ManyToManyField(PRODUCT_MODEL, through="ArticleProduct", related_name="articles", blank=True)
    videos = models.ManyToManyField("TutorialVideo", through="ArticleVideo", related_name="articles", blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        permissions = [("publish_article", "Can publish and unpublish articles")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        if not self.slug:
            self.slug = slugify(self.title)[:200]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("content_pages:article-detail", kwargs={"slug": self.slug})

    @property
    def is_live(self):
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.publish_at > timezone.now()

    @property
    def reading_minutes(self):
        words = len(strip_tags(self.body).split())
        return max(1, math.ceil(words / WORDS_PER_MINUTE))

    @property
    def meta_title(self):
        return self.seo_title or self.title

    @property
    def meta_description(self):
        return self.seo_description or self.summary


class Citation(models.Model):
    """A numbered reference. Its number is its position in the article's list."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="citations")
    sort_order = models.PositiveIntegerField(default=0)
    authors = models.CharField(max_length=300)
    title = models.CharField(max_length=300)
    edition = models.CharField(max_length=60, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return f"{self.authors}. {self.title}"


class TutorialVideo(models.Model):
    title = models.CharField(max_length=200)
    url = models.URLField(
        "video address", max_length=500, help_text="A YouTube or Vimeo link, e.g. https://youtu.be/VIDEO_ID."
    )
    provider = models.CharField(max_length=10, choices=PROVIDER_CHOICES, editable=False)
    video_id = models.CharField(max_length=20, editable=False)
    poster = models.ImageField(
        upload_to="content/videos/%Y/%m/", blank=True, help_text="Shown until the visitor presses play."
    )
    duration = models.DurationField(null=True, blank=True, help_text="e.g. 00:03:20")
    description = models.TextField("description or transcript", blank=True)
    products = models.ManyToManyField(PRODUCT_MODEL, through="ProductVideo", related_name="tutorial_videos", blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["provider", "video_id"], name="unique_tutorial_video")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        ref = parse_video_url(self.url)
        self.provider, self.video_id, self.url = ref.provider, ref.video_id, ref.watch_url
        super().save(*args, **kwargs)

    def clean(self):
        try:
            ref = parse_video_url(self.url)
        except ValidationError as exc:
            raise ValidationError({"url": exc.messages}) from exc
        self.provider, self.video_id, self.url = ref.provider, ref.video_id, ref.watch_url
        clash = TutorialVideo.objects.filter(provider=ref.provider, video_id=ref.video_id).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError({"url": f"This video is already in the library as “{clash.first().title}”."})

    @property
    def ref(self):
        return VideoRef(self.provider, self.video_id)

    @property
    def embed_url(self):
        return self.ref.embed_url

    @property
    def iso_duration(self):
        if not self.duration:
            return ""
        seconds = int(self.duration.total_seconds())
        return f"PT{seconds // 60}M{seconds % 60}S"

    @property
    def duration_label(self):
        if not self.duration:
            return ""
        seconds = int(self.duration.total_seconds())
        return f"{seconds // 60}:{seconds % 60:02d}"


class ArticleProduct(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="product_links")
    product = models.ForeignKey(PRODUCT_MODEL, on_delete=models.CASCADE, related_name="article_links")
    sort_order = models.PositiveIntegerField(default=0)
    cta_text = models.CharField("call to action", max_length=120, blank=True, help_text="e.g. “Try it tonight”.")

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "product"], name="unique_article_product")]

    def __str__(self):
        return f"{self.article} -> {self.product}"


class ArticleVideo(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="video_links")
    video = models.ForeignKey(TutorialVideo, on_delete=models.CASCADE, related_name="article_links")
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "video"], name="unique_article_video")]

    def __str__(self):
        return f"{self.article} -> {self.video}"


class ProductVideo(models.Model):
    product = models.ForeignKey(PRODUCT_MODEL, on_delete=models.CASCADE, related_name="video_links")
    video = models.ForeignKey(TutorialVideo, on_delete=models.CASCADE, related_name="product_links")
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["product", "video"], name="unique_product_video")]

    def __str__(self):
        return f"{self.product} -> {self.video}"


class VideoPlacement(models.Model):
    """Videos staff pick for the shopping pages (basket, payment, thank-you, order status)."""

    class Placement(models.TextChoices):
        BASKET = "basket", "Basket"
        PAYMENT = "payment", "Payment step"
        THANK_YOU = "thank-you", "Thank-you page"
        ORDER_STATUS = "order-status", "Order status page"

    placement = models.CharField(max_length=20, choices=Placement.choices, db_index=True)
    video = models.ForeignKey(TutorialVideo, on_delete=models.CASCADE, related_name="placements")
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["placement", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["placement", "video"], name="unique_video_placement")]

    def __str__(self):
        return f"{self.get_placement_display()}: {self.video}"


def related_articles(article, limit=3):
    """Published articles sharing a product with this one first, then the newest others."""
    product_ids = [link.product_id for link in article.product_links.all()]
    return list(
        Article.objects.published()
        .exclude(pk=article.pk)
        .annotate(shared=models.Count("product_links", filter=Q(product_links__product_id__in=product_ids)))
        .order_by("-shared", "-publish_at")[:limit]
    )

