from django.urls import path

from . import views

app_name = "article_comments"

urlpatterns = [
    path("learn/<slug:slug>/comments/", views.CommentPostView.as_view(), name="post"),
    path("comments/confirm/<str:token>/", views.ConfirmCommentView.as_view(), name="confirm"),
    path("comments/unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
]
