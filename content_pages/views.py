from django.db import transaction
from django.db.models import Prefetch
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views.generic import DetailView, ListView

from . import conf, seo
from .cache import cached
from .models import Article, ArticleProduct, TutorialVideo, related_articles
from .rendering import render_body


def can_preview(user):
    return user.is_active and user.is_staff and user.has_perm("content_pages.view_article")


# The public pages only read (views are counted outside the database): no request transaction
# (ATOMIC_REQUESTS), whose BEGIN and COMMIT are two round trips of every render.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ArticleListView(ListView):
    template_name = "content_pages/article_list.html"
    context_object_name = "articles"
    paginate_by = 9

    def get_queryset(self):
        return Article.objects.published().only(
            "title", "slug", "summary", "body", "hero_image", "hero_alt", "publish_at", "author"
        )


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ArticleDetailView(DetailView):
    template_name = "content_pages/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.all() if can_preview(self.request.user) else Article.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        # What only changes when staff edit content is cached per content version; the buy
        # boxes' price and stock are read fresh on every request.
        context.update(cached(f"article:{article.pk}", lambda: self.build_static_parts(article)))
        context.update(
            product_links=list(
                ArticleProduct.objects.filter(article=article)
                .select_related("product", *(f"product__{name}" for name in conf.get("PRODUCT_SELECT_RELATED")))
                .prefetch_related(*(f"product__{name}" for name in conf.get("PRODUCT_PREFETCH_RELATED")))
            ),
            is_preview=not article.is_live,
            canonical_url=self.request.build_absolute_uri(article.get_absolute_url()),
        )
        context["structured_data"] = seo.article_page_data(
            self.request, article, context["citation_objects"], context["videos"],
            conf.get("PUBLISHER"),
        )
        return context

    @staticmethod
    def build_static_parts(article):
        citations = list(article.citations.all())
        body, toc, backrefs = render_body(article.body, len(citations))
        return {
            "body": body,
            "toc": toc,
            "citation_objects": citations,
            "citations": [(n, c, backrefs.get(n, [])) for n, c in enumerate(citations, start=1)],
            "videos": [link.video for link in article.video_links.select_related("video")],
            "related": related_articles(article),
        }

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["is_preview"]:
            # A draft must never be stored by a shared cache or the browser's back-forward cache.
            add_never_cache_headers(response)
        return response


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class TutorialListView(ListView):
    template_name = "content_pages/tutorial_list.html"
    context_object_name = "videos"
    paginate_by = 24

    def get_queryset(self):
        return TutorialVideo.objects.prefetch_related(
            Prefetch("articles", queryset=Article.objects.published().only("title", "slug"), to_attr="live_articles"),
            "products",
        )


