"""Factories for the store's own models (Oscar's live in oscar.test.factories)."""

from datetime import timedelta

import factory
from django.utils import timezone

from content_pages.models import Article, Citation, TutorialVideo


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
