from django.urls import path

from . import views

app_name = "product_reviews"

urlpatterns = [
    path("reviews/opt-out/<str:token>/", views.opt_out, name="opt-out"),
]
