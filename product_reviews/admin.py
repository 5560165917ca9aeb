from django.contrib import admin

from .models import ReviewOptOut, ReviewRequest


@admin.register(ReviewRequest)
class ReviewRequestAdmin(admin.ModelAdmin):
    list_display = ["order", "email", "date_sent"]
    search_fields = ["email", "order__number"]
    raw_id_fields = ["order"]


@admin.register(ReviewOptOut)
class ReviewOptOutAdmin(admin.ModelAdmin):
    list_display = ["email", "date_created"]
    search_fields = ["email"]
