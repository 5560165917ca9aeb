from django.contrib import admin

from .models import Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "source", "signed_up_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status", "source"]
    search_fields = ["email"]
    # The consent record is evidence: shown, never edited.
    readonly_fields = [
        "consent_version", "consent_text", "signed_up_at", "signup_ip", "confirmed_at", "confirmation_ip",
        "unsubscribed_at", "confirmation_sent_at", "created_at", "updated_at",
    ]
