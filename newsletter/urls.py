from django.urls import path

from . import views, webhooks

app_name = "newsletter"

urlpatterns = [
    path("", views.landing, name="index"),  # the newsletter's own page, linked from the README and shares
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/thanks/", views.thanks, name="thanks"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("confirmed/", views.confirmed, name="confirmed"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("opt-out/<str:token>/", views.opt_out, name="opt-out"),
    path("basket/<str:token>/", views.restore_basket, name="restore-basket"),
    # The email provider's tracking webhook (bounces, complaints): newsletter/webhooks.py.
    path("webhooks/mailgun/tracking/", webhooks.mailgun_tracking, name="mailgun-tracking"),
]
