"""Factories for the store's own models (Oscar's live in oscar.test.factories), and the few
builders that put several rows together."""

from datetime import timedelta

import factory
from django.utils import timezone
from oscar.test.factories import create_basket, create_order

from article_comments.models import Comment
from content_pages.models import Article, ArticleProduct, Citation, TutorialVideo
from newsletter.consent import get_consent
from newsletter.models import Subscriber


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "A short summary."
    body = "<h2>First</h2><p>Some text [1, p. 12].</p><h2>Second</h2><p>More.</p>"
    status = Article.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    article = factory.SubFactory(ArticleFactory)
    authors = "Doe, Jane"
    title = factory.Sequence(lambda n: f"Book {n}")
    publisher = "Press"
    year = 2020


class VideoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TutorialVideo

    title = factory.Sequence(lambda n: f"Video {n}")
    url = factory.Sequence(lambda n: f"https://youtu.be/abcdefg{n:04d}")


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    name = factory.Sequence(lambda n: f"Reader {n}")
    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    body = "Does this work for sciatica?"
    status = Comment.Status.APPROVED


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    status = Subscriber.Status.PENDING
    source = "footer"
    consent_version = factory.LazyFunction(lambda: get_consent().version)
    consent_text = factory.LazyFunction(lambda: get_consent().text)
    signed_up_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    signup_ip = "203.0.113.5"
    # Long enough ago that the hourly email limit does not apply, unless a test says otherwise.
    confirmation_sent_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    confirmation_key = factory.Sequence(lambda n: f"key-{n}")


def article_selling(product, **kwargs):
    """A published article linked to the product, as its buy box does."""
    article = ArticleFactory(**kwargs)
    ArticleProduct.objects.create(article=article, product=product)
    return article


def order_for(product, **kwargs):
    """A placed order for one product (pass user= or guest_email=)."""
    basket = create_basket(empty=True)
    basket.add_product(product)
    return create_order(basket=basket, **kwargs)
