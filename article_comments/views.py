from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import View

from content_pages.views import ArticleDetailView
from shop.security import client_ip

from . import services, throttling
from .forms import HONEYPOT_HIT, CommentForm
from .text import clean_text

LINK_PROBLEM_STATUS = {"invalid": 400, "expired": 400, "used": 200}


def after_posting_url(posted):
    comment = posted.comment
    anchor = comment.anchor if posted.outcome == "published" else "comments"
    return f"{comment.article.get_absolute_url()}?comment_posted={posted.outcome}#{anchor}"


class CommentPostView(ArticleDetailView):
    """Posts a comment; on any problem the article page is shown again with the text kept."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = article = self.get_object()
        if not article.is_live:
            raise Http404("Comments open when the article is published.")
        form = CommentForm(request.POST, article=article, user=request.user)
        valid = form.is_valid()
        if throttling.ip_limited(request):
            return self.show_again(form, 429, throttling.TOO_MANY)
        if form.honeypot_hit:
            self.keep_as_spam(form)
            return self.show_again(form, 400, HONEYPOT_HIT)
        if not valid:
            return self.show_again(form, 400)
        email = request.user.email if request.user.is_authenticated else form.cleaned_data["email"]
        if throttling.email_limited(request, email):
            return self.show_again(form, 429, throttling.TOO_MANY)
        posted = services.post_comment(
            article=article,
            body=form.cleaned_data["body"],
            parent=form.cleaned_data["parent"],
            user=request.user,
            name=form.cleaned_data.get("name", ""),
            email=form.cleaned_data.get("email", ""),
            ip_address=client_ip(request),
        )
        return redirect(after_posting_url(posted))

    def keep_as_spam(self, form):
        body = clean_text(self.request.POST.get("body", ""))
        if body:
            services.store_spam(
                article=self.object,
                body=body,
                reason="honeypot",
                user=self.request.user,
                name=clean_text(self.request.POST.get("name", "")),
                email=self.request.POST.get("email", "").strip(),
                ip_address=client_ip(self.request),
            )

    def show_again(self, form, status, message=""):
        context = self.get_context_data(object=self.object, comment_form=form, comment_error=message)
        return self.render_to_response(context, status=status)


def link_problem(request, error):
    return render(
        request,
        "article_comments/link_problem.html",
        {"kind": error.kind, "comment": error.comment},
        status=LINK_PROBLEM_STATUS[error.kind],
    )


@method_decorator(never_cache, name="dispatch")
class ConfirmCommentView(View):
    """The link in a guest's email. Opening it shows a button: confirming is a POST, so mail
    scanners that open every link cannot confirm a comment in someone else's name."""

    def get(self, request, token):
        try:
            comment = services.check_confirmation_link(token)
        except services.LinkError as error:
            return link_problem(request, error)
        return render(request, "article_comments/confirm.html", {"comment": comment})

    def post(self, request, token):
        try:
            posted = services.confirm_guest_comment(token)
        except services.LinkError as error:
            return link_problem(request, error)
        return redirect(after_posting_url(posted))


@method_decorator(never_cache, name="dispatch")
class UnsubscribeView(View):
    """The unsubscribe link in a staff-reply email; works without signing in."""

    def get(self, request, token):
        try:
            comment = services.check_unsubscribe_link(token)
        except services.LinkError as error:
            return link_problem(request, error)
        return render(request, "article_comments/unsubscribe.html", {"comment": comment, "done": False})

    def post(self, request, token):
        try:
            comment = services.check_unsubscribe_link(token)
        except services.LinkError as error:
            return link_problem(request, error)
        services.unsubscribe_from_thread(comment)
        return render(request, "article_comments/unsubscribe.html", {"comment": comment, "done": True})
