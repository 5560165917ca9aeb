"""Factories and helpers shared by the article comments tests."""

import re
import time
from urllib.parse import urlsplit

import factory
from django.core import mail
from oscar.test.factories import create_basket, create_order

from article_comments import tokens
from article_comments.models import Comment
from content_pages.models import ArticleProduct
from tests.factories import ArticleFactory

URL_RE = re.compile(r"https?://[^\s\"'<>]+")


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    name = factory.Sequence(lambda n: f"Reader {n}")
    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    body = "Does this work for sciatica?"
    status = Comment.Status.APPROVED


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


def comment_form(page):
    return page.forms["comment-form"]


def backdate(form, article, seconds=60):
    """As if the reader had spent `seconds` writing."""
    form["ts"] = tokens.form_token(article, issued_at=time.time() - seconds)


def links_in(message):
    return URL_RE.findall(message.body)


def emailed_path(to, containing):
    """The path of the one link in the last email to `to` whose address contains `containing`."""
    message = [m for m in mail.outbox if to in m.to][-1]
    (link,) = [url for url in links_in(message) if containing in url]
    return urlsplit(link).path


def comments_section(page):
    return page.html.select_one("#comments")
