"""A campaign as an email: rendered once, then personalised for each recipient.

Rendering the templates, the cards and the body is the expensive part; it is done once per
campaign (per worker process) with placeholders where the recipient's address and unsubscribe
link go, and each message is then two string replacements. Every link to the store carries the
campaign's UTM tags; links elsewhere (references, video players) are left as they are, and so is
the unsubscribe link. No open-tracking pixel.
"""

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import nh3
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from oscar.core.loading import get_class
from oscar.templatetags.currency_filters import currency

from content_pages.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES
from shop.links import absolute_url

EMAIL_PLACEHOLDER = "%%NEWSLETTER-EMAIL%%"
UNSUBSCRIBE_PLACEHOLDER = "%%NEWSLETTER-UNSUBSCRIBE%%"
UTM_SOURCE, UTM_MEDIUM = "newsletter", "email"
YOUTUBE_THUMBNAIL = "https://i.ytimg.com/vi/{id}/hqdefault.jpg"

Selector = get_class("partner.strategy", "Selector")


def add_utm(url, campaign_slug):
    """The URL with the campaign's UTM tags if it leads to the store; any other URL unchanged."""
    if not url:
        return url
    if url.startswith("/") and not url.startswith("//"):
        url = absolute_url(url)
    parts = urlsplit(url)
    if parts.netloc.lower() != urlsplit(settings.SITE_URL).netloc.lower():
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")]
    query += [("utm_source", UTM_SOURCE), ("utm_medium", UTM_MEDIUM), ("utm_campaign", campaign_slug)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def media_url(file_field):
    """An uploaded file's absolute URL (local media are relative to the site), or ""."""
    if not file_field:
        return ""
    url = file_field.url
    return absolute_url(url) if url.startswith("/") else url


def email_body(body_html, campaign_slug):
    """The sanitised body (content_pages' rules) with absolute links, UTM-tagged when they lead to the store."""

    def rewrite(tag, attribute, value):
        if tag == "a" and attribute == "href":
            return add_utm(value, campaign_slug)
        if tag == "img" and attribute == "src" and value.startswith("/") and not value.startswith("//"):
            return absolute_url(value)
        return value

    return nh3.clean(
        body_html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=rewrite,
    )


def article_card(article, slug):
    return {
        "title": article.title,
        "text": article.summary,
        "url": add_utm(article.get_absolute_url(), slug),
        "image": media_url(article.hero_image),
        "image_alt": article.hero_alt,
        "action": "Read the article",
    }


def video_card(video, slug=None):
    image = media_url(video.poster)
    if not image and video.provider == "youtube":
        image = YOUTUBE_THUMBNAIL.format(id=video.video_id)
    text = video.description.split("\n", 1)[0][:200]
    return {
        "title": video.title,
        "text": text,
        "meta": video.duration_label,
        "url": video.url,  # the player's own page: a tag would only be noise there
        "image": image,
        "image_alt": "",
        "action": "Watch the video",
    }


def product_card(product, slug, strategy=None):
    strategy = strategy or Selector().strategy()
    info = strategy.fetch_for_product(product)
    price = currency(info.price.incl_tax, info.price.currency) if info.price.exists else ""
    image = product.primary_image()
    return {
        "title": product.get_title(),
        "text": "",
        "meta": price,
        "url": add_utm(product.get_absolute_url(), slug),
        "image": media_url(getattr(image, "original", None)) if getattr(image, "pk", None) else "",
        "image_alt": getattr(image, "caption", "") or product.get_title(),
        "action": "See it in the store",
    }


def campaign_cards(campaign):
    slug = campaign.utm_slug
    links = campaign.article_links.select_related("article")
    articles = [article_card(link.article, slug) for link in links]
    videos = [video_card(link.video, slug) for link in campaign.video_links.select_related("video")]
    strategy = Selector().strategy()
    products = [product_card(link.product, slug, strategy) for link in campaign.product_links.select_related("product")]
    return {"articles": articles, "videos": videos, "products": products}


@dataclass(frozen=True)
class RenderedEmail:
    """Subject, HTML and text with the placeholders still in; personalise() fills them."""

    subject: str
    html: str
    text: str

    def personalise(self, email, unsubscribe_url):
        html_part = self.html.replace(EMAIL_PLACEHOLDER, html.escape(email)).replace(
            UNSUBSCRIBE_PLACEHOLDER, html.escape(unsubscribe_url)
        )
        text_part = self.text.replace(EMAIL_PLACEHOLDER, email).replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url)
        return html_part, text_part


def render_campaign(campaign):
    slug = campaign.utm_slug
    body = email_body(campaign.body, slug)
    context = {
        "campaign": campaign,
        "subject": campaign.subject,
        "preview_text": campaign.preview_text,
        "body": body,
        "body_text": html_to_text(body),
        "cards": campaign_cards(campaign),
        "store_url": add_utm(reverse("home"), slug),
        **footer_context(),
    }
    return RenderedEmail(
        subject=" ".join(campaign.subject.split()),
        html=render_to_string("newsletter/emails/campaign.html", context),
        text=render_to_string("newsletter/emails/campaign.txt", context),
    )


def footer_context():
    return {
        "shop_name": settings.OSCAR_SHOP_NAME,
        "postal_address": settings.NEWSLETTER_POSTAL_ADDRESS,
        "email": EMAIL_PLACEHOLDER,
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
    }


class _TextMaker(HTMLParser):
    BLOCKS = {"p", "h2", "h3", "h4", "blockquote", "figure", "figcaption", "table", "tr", "pre", "ul", "ol", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.href = None
        self.link_text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.BLOCKS:
            self.out.append("\n\n")
        if tag in ("h2", "h3", "h4"):
            self.out.append("## " if tag == "h2" else "")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag == "hr":
            self.out.append("----")
        elif tag == "a":
            self.href = attrs.get("href")
            self.link_text = []
        elif tag == "img" and attrs.get("alt"):
            self.out.append(f"[{attrs['alt']}]")

    def handle_endtag(self, tag):
        if tag == "a" and self.href is not None:
            text = "".join(self.link_text).strip()
            self.out.append(f" ({self.href})" if self.href and self.href != text else "")
            self.href = None
        elif tag in self.BLOCKS:
            self.out.append("\n\n")
        elif tag in ("td", "th"):
            self.out.append("  ")

    def handle_data(self, data):
        text = re.sub(r"\s+", " ", data)
        self.out.append(text)
        if self.href is not None:
            self.link_text.append(text)


def html_to_text(markup):
    """Readable plain text from the editor's HTML: paragraphs, list items, links with their address."""
    maker = _TextMaker()
    maker.feed(markup or "")
    maker.close()
    text = "".join(maker.out)
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
