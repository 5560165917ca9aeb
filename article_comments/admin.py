from django.contrib import admin

from .models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Day-to-day moderation lives in Oscar's dashboard; this is for the occasional lookup."""

    list_display = ["name", "email", "article", "status", "by_staff", "created"]
    list_filter = ["status", "by_staff"]
    search_fields = ["name", "email", "body"]
    raw_id_fields = ["article", "parent", "user", "moderated_by"]
    date_hierarchy = "created"
