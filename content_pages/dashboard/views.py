from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import CreateView, DeleteView, ListView, UpdateView

from ..models import Article, TutorialVideo
from .forms import (
    ArticleForm,
    ArticleProductFormSet,
    ArticleSearchForm,
    ArticleVideoFormSet,
    CitationFormSet,
    VideoForm,
)

FORMSETS = {"citations": CitationFormSet, "product_links": ArticleProductFormSet, "video_links": ArticleVideoFormSet}


class ArticleListView(ListView):
    template_name = "content_pages/dashboard/article_list.html"
    context_object_name = "articles"
    paginate_by = 25

    def get_queryset(self):
        self.form = ArticleSearchForm(self.request.GET or None)
        articles = Article.objects.all()
        if self.form.is_valid():
            q, status, now = self.form.cleaned_data["q"], self.form.cleaned_data["status"], timezone.now()
            if q:
                articles = articles.filter(Q(title__icontains=q) | Q(slug__icontains=q))
            if status == "draft":
                articles = articles.filter(status=Article.Status.DRAFT)
            elif status == "scheduled":
                articles = articles.filter(status=Article.Status.PUBLISHED, publish_at__gt=now)
            elif status == "live":
                articles = articles.published()
        return articles.only("title", "slug", "status", "publish_at", "updated", "author")

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, **kwargs)


class ArticleEditMixin:
    model = Article
    form_class = ArticleForm
    template_name = "content_pages/dashboard/article_form.html"

    def get_formsets(self, instance):
        data = self.request.POST if self.request.method == "POST" else None
        return {name: cls(data, instance=instance, prefix=name) for name, cls in FORMSETS.items()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formsets", self.get_formsets(self.object or Article()))
        return context

    def form_valid(self, form):
        formsets = self.get_formsets(form.instance)
        if not all(fs.is_valid() for fs in formsets.values()):
            messages.error(self.request, "Some of the references or links need attention; nothing was saved yet.")
            return self.render_to_response(self.get_context_data(form=form, formsets=formsets))
        with transaction.atomic():
            self.object = form.save()
            for formset in formsets.values():
                formset.instance = self.object
                formset.save()
        messages.success(self.request, f"“{self.object.title}” saved.")
        if "preview" in self.request.POST:
            return HttpResponseRedirect(self.object.get_absolute_url())
        return HttpResponseRedirect(reverse("content_pages_dashboard:content-article-update", args=[self.object.pk]))

    def form_invalid(self, form):
        messages.error(self.request, "The article was not saved: please correct the fields marked below.")
        formsets = self.get_formsets(form.instance)
        for formset in formsets.values():
            formset.is_valid()  # so its errors show next to what was typed
        return self.render_to_response(self.get_context_data(form=form, formsets=formsets))


class ArticleCreateView(ArticleEditMixin, CreateView):
    def get_object(self, queryset=None):
        return None


class ArticleUpdateView(ArticleEditMixin, UpdateView):
    pass


class ArticlePublishView(View):
    def post(self, request, pk):
        article = get_object_or_404(Article, pk=pk)
        if article.status == Article.Status.PUBLISHED:
            article.status = Article.Status.DRAFT
            messages.success(request, f"“{article.title}” is now a draft; the public no longer sees it.")
        else:
            article.status = Article.Status.PUBLISHED
            if article.publish_at > timezone.now():
                messages.success(request, f"“{article.title}” is scheduled for {article.publish_at:%B %d, %Y %H:%M}.")
            else:
                messages.success(request, f"“{article.title}” is published.")
        article.save(update_fields=["status", "updated"])
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
            next_url = reverse("content_pages_dashboard:content-article-list")
        return HttpResponseRedirect(next_url)


class ArticleDeleteView(DeleteView):
    model = Article
    template_name = "content_pages/dashboard/confirm_delete.html"
    success_url = reverse_lazy("content_pages_dashboard:content-article-list")

    def form_valid(self, form):
        messages.success(self.request, f"“{self.object.title}” deleted.")
        return super().form_valid(form)


class VideoListView(ListView):
    template_name = "content_pages/dashboard/video_list.html"
    context_object_name = "videos"
    paginate_by = 50

    def get_queryset(self):
        return TutorialVideo.objects.prefetch_related("placements", "articles", "products")


class VideoEditMixin:
    model = TutorialVideo
    form_class = VideoForm
    template_name = "content_pages/dashboard/video_form.html"
    success_url = reverse_lazy("content_pages_dashboard:content-video-list")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            form.save_placements()
        messages.success(self.request, f"Video “{self.object.title}” saved.")
        return response

    def form_invalid(self, form):
        messages.error(self.request, "The video was not saved: please correct the fields marked below.")
        return super().form_invalid(form)


class VideoCreateView(VideoEditMixin, CreateView):
    pass


class VideoUpdateView(VideoEditMixin, UpdateView):
    pass


class VideoDeleteView(DeleteView):
    model = TutorialVideo
    template_name = "content_pages/dashboard/confirm_delete.html"
    success_url = reverse_lazy("content_pages_dashboard:content-video-list")
