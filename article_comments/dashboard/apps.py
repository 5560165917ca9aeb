from django.urls import path
from oscar.core.application import OscarDashboardConfig


class CommentsDashboardConfig(OscarDashboardConfig):
    """The "Comments" section of Oscar's dashboard. An Oscar dashboard app, so the dashboard's
    navigation finds the permissions of its pages and hides the entry from staff without them."""

    label = "article_comments_dashboard"
    namespace = "article_comments_dashboard"
    name = "article_comments.dashboard"
    verbose_name = "Article comments dashboard"

    default_permissions = ["is_staff"]
    permissions_map = {
        "comments-list": ["is_staff", "article_comments.view_comment"],
        "comments-moderate": ["is_staff", "article_comments.change_comment"],
        "comments-reply": ["is_staff", "article_comments.add_comment", "article_comments.change_comment"],
        "comments-delete": ["is_staff", "article_comments.delete_comment"],
    }

    def get_urls(self):
        from . import views

        urls = [
            path("", views.CommentListView.as_view(), name="comments-list"),
            path("<int:pk>/moderate/", views.CommentModerateView.as_view(), name="comments-moderate"),
            path("<int:pk>/reply/", views.CommentReplyView.as_view(), name="comments-reply"),
            path("<int:pk>/delete/", views.CommentDeleteView.as_view(), name="comments-delete"),
        ]
        return self.post_process_urls(urls)
