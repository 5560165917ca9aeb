"""Factories and email helpers shared by the newsletter tests."""

import re
from datetime import timedelta

import factory
from django.utils import timezone

from newsletter.consent import get_consent
from newsletter.models import Subscriber

URL_RE = re.compile(r"https?://[^\s\"'<>]+")


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


def html_part(message):
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def urls_in(message):
    """Every URL in the plain-text and HTML parts, unescaped."""
    return set(URL_RE.findall(message.body)) | {u.replace("&amp;", "&") for u in URL_RE.findall(html_part(message))}


def confirmation_link(message):
    [url] = {u for u in urls_in(message) if "/newsletter/confirm/" in u}
    return url


def path_of(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1]
