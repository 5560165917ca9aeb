from django.contrib import admin

from checkout.models import CheckoutPayment, WebhookEvent


@admin.register(CheckoutPayment)
class CheckoutPaymentAdmin(admin.ModelAdmin):
    list_display = ["intent_id", "order_number", "amount", "status", "email", "date_created"]
    list_filter = ["status", "unplaced_reason"]
    search_fields = ["intent_id", "order_number", "email"]
    readonly_fields = [field.name for field in CheckoutPayment._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "date_received"]
    search_fields = ["event_id"]
    readonly_fields = ["event_id", "type", "date_received"]

    def has_add_permission(self, request):
        return False
