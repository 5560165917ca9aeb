from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("shipping/", views.PolicyPageView.as_view(slug="shipping"), name="shipping"),
    path("returns/", views.PolicyPageView.as_view(slug="returns"), name="returns"),
    path("faq/", views.PolicyPageView.as_view(slug="faq"), name="faq"),
    path("about/", views.PolicyPageView.as_view(slug="about"), name="about"),
    path("contact/", views.ContactView.as_view(), name="contact"),
    path("contact/thanks/", views.contact_thanks, name="contact-thanks"),
]
