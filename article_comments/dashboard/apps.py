from shop.dashboard import StoreDashboardConfig

perm = "article_comments.{}_comment".format


class CommentsDashboardConfig(StoreDashboardConfig):
    """The "Comments" section of Oscar's dashboard, beside Oscar's product reviews."""

    name = "article_comments.dashboard"
    label = "article_comments_dashboard"
    namespace = "article_comments_dashboard"
    verbose_name = "Article comments dashboard"
    pages = (
        ("", "CommentListView", "comments-list", [perm("view")]),
        ("<int:pk>/moderate/", "CommentModerateView", "comments-moderate", [perm("change")]),
        ("<int:pk>/reply/", "CommentReplyView", "comments-reply", [perm("add"), perm("change")]),
        ("<int:pk>/delete/", "CommentDeleteView", "comments-delete", [perm("delete")]),
    )
