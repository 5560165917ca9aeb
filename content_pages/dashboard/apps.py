from django.urls import path
from oscar.core.application import OscarDashboardConfig


class ContentDashboardConfig(OscarDashboardConfig):
    """The "Content" section of Oscar's dashboard: articles and tutorial videos.

    An Oscar dashboard app (not plain views) so the dashboard menu can check each link's
    permissions the way it does for Oscar's own sections.
    """

    name = "content_pages.dashboard"
    label = "content_pages_dashboard"
    verbose_name = "Content dashboard"
    default_permissions = ["is_staff"]

    def ready(self):
        from . import views

        self.views = views
        perm = "content_pages.{}".format
        self.permissions_map = {
            "content-article-list": [perm("view_article")],
            "content-article-create": [perm("view_article"), perm("add_article")],
            "content-article-update": [perm("view_article"), perm("change_article")],
            "content-article-publish": [perm("view_article"), perm("publish_article")],
            "content-article-delete": [perm("view_article"), perm("delete_article")],
            "content-video-list": [perm("view_tutorialvideo")],
            "content-video-create": [perm("view_tutorialvideo"), perm("add_tutorialvideo")],
            "content-video-update": [perm("view_tutorialvideo"), perm("change_tutorialvideo")],
            "content-video-delete": [perm("view_tutorialvideo"), perm("delete_tutorialvideo")],
        }

    def get_urls(self):
        v = self.views
        urls = [
            path("articles/", v.ArticleListView.as_view(), name="content-article-list"),
            path("articles/new/", v.ArticleCreateView.as_view(), name="content-article-create"),
            path("articles/<int:pk>/", v.ArticleUpdateView.as_view(), name="content-article-update"),
            path("articles/<int:pk>/publish/", v.ArticlePublishView.as_view(), name="content-article-publish"),
            path("articles/<int:pk>/delete/", v.ArticleDeleteView.as_view(), name="content-article-delete"),
            path("videos/", v.VideoListView.as_view(), name="content-video-list"),
            path("videos/new/", v.VideoCreateView.as_view(), name="content-video-create"),
            path("videos/<int:pk>/", v.VideoUpdateView.as_view(), name="content-video-update"),
            path("videos/<int:pk>/delete/", v.VideoDeleteView.as_view(), name="content-video-delete"),
        ]
        return self.post_process_urls(urls)
