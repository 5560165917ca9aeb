import functools
import json

from django import template
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe

from .. import conf
from ..cache import cached
from ..models import Article, ArticleProduct, ProductVideo, VideoPlacement

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def jsonld(data):
    """A JSON-LD block; escaped like json_script so "</script>" in content cannot break out."""
    payload = json.dumps(data, ensure_ascii=False, default=str).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.simple_tag
def product_learning(product):
    """The published articles and the tutorial videos linked to a product, for its page."""

    def build():
        articles = [
            link.article
            for link in ArticleProduct.objects.filter(product=product, article__in=Article.objects.published())
            .select_related("article")
            .order_by("-article__publish_at")
        ]
        videos = [link.video for link in ProductVideo.objects.filter(product=product).select_related("video")]
        return {"articles": articles, "videos": videos}

    return cached(f"product-learning:{product.pk}", build)


@register.simple_tag
def placement_videos(placement):
    return cached(
        f"placement:{placement}",
        lambda: [p.video for p in VideoPlacement.objects.filter(placement=placement).select_related("video")],
    )


@functools.cache
def _hook(path):
    return import_string(path)


@register.simple_tag(takes_context=True)
def video_shown(context):
    """The video partial calls this: the project's CONTENT_PAGES_VIDEO_SHOWN hook hears that
    this page may frame a player (e.g. to widen its Content-Security-Policy)."""
    request, path = context.get("request"), conf.get("VIDEO_SHOWN")
    if request is not None and path:
        _hook(path)(request)
    return ""


@register.simple_tag(takes_context=True)
def csp_nonce(context):
    """ nonce="..." for this response's Content-Security-Policy (django-csp puts the nonce on
    the request), so the app's scripts also run under a nonce-only policy; nothing without it."""
    nonce = getattr(context.get("request"), "csp_nonce", None)
    return format_html(' nonce="{}"', nonce) if nonce is not None else ""
