from django.urls import path

from . import views

app_name = "content_pages"

urlpatterns = [
    path("learn/", views.ArticleListView.as_view(), name="article-list"),
    path("learn/<slug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("tutorials/", views.TutorialListView.as_view(), name="tutorial-list"),
]
