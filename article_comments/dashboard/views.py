"""Moderation in Oscar's dashboard. Access is checked by the app config's permissions_map;
every change is a POST."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, ListView, View

from .. import services
from ..forms import StaffReplyForm
from ..models import Comment

Status = Comment.Status
TABS = [Status.PENDING, Status.APPROVED, Status.REJECTED, Status.SPAM, Status.UNCONFIRMED]
# (action, button, Bootstrap style, the status it leads to: no button when the comment has it already)
BUTTONS = {
    "approve": ("Approve", "btn-success"),
    "reject": ("Reject", "btn-secondary"),
    "spam": ("Spam", "btn-warning"),
}
MODERATION = [(action, *BUTTONS[action], status) for action, status in services.MODERATION_ACTIONS.items()]
DONE = {
    "approve": "Approved: the comment by {name} is on the article now.",
    "reject": "Rejected: the comment by {name} stays hidden.",
    "spam": "Marked as spam: the comment by {name} stays hidden.",
}


def back_to_list(request, default_status=Status.PENDING):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(f"{reverse('article_comments_dashboard:comments-list')}?status={default_status}")


class CommentListView(ListView):
    template_name = "article_comments/dashboard/comment_list.html"
    context_object_name = "comments"
    paginate_by = 25

    def get_queryset(self):
        status = self.request.GET.get("status")
        self.status = status if status in Status.values else Status.PENDING
        # A queue is worked oldest first; the other lists show the latest first.
        order = ("created", "pk") if self.status in (Status.PENDING, Status.UNCONFIRMED) else ("-created", "-pk")
        return (
            Comment.objects.filter(status=self.status)
            .select_related("article", "user", "parent", "moderated_by")
            .order_by(*order)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(Comment.objects.order_by().values_list("status").annotate(n=Count("pk")))
        context.update(
            status=self.status,
            status_label=Status(self.status).label,
            tabs=[(status, status.label, counts.get(status, 0)) for status in TABS],
            moderation=MODERATION,
            next_url=self.request.get_full_path(),
        )
        return context


class CommentModerateView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        comment = get_object_or_404(Comment, pk=pk)
        action = request.POST.get("action")
        if action not in services.MODERATION_ACTIONS:
            messages.error(request, "Choose approve, reject or spam.")
        else:
            services.moderate(comment, action, request.user)
            messages.success(request, DONE[action].format(name=comment.name))
        return back_to_list(request, comment.status)


class CommentDeleteView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        comment = get_object_or_404(Comment, pk=pk)
        replies = comment.replies.count()
        comment.delete()
        note = f" and its {replies} repl{'y' if replies == 1 else 'ies'}" if replies else ""
        messages.success(request, f"Deleted the comment by {comment.name}{note}.")
        return back_to_list(request)


class CommentReplyView(FormView):
    """Staff answer a comment. The reply is published at once, nested under the question, and
    the question's author is emailed (unless they unsubscribed from the conversation)."""

    template_name = "article_comments/dashboard/comment_reply.html"
    form_class = StaffReplyForm

    def dispatch(self, request, *args, **kwargs):
        self.comment = get_object_or_404(Comment.objects.select_related("article", "parent"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        thread = self.comment.thread
        return super().get_context_data(
            comment=self.comment,
            thread=thread,
            replies=thread.replies.select_related("user").order_by("created", "pk"),
            can_reply=services.can_reply(self.comment),
            next_url=self.request.GET.get("next") or self.request.POST.get("next", ""),
            **kwargs,
        )

    def form_valid(self, form):
        if not services.can_reply(self.comment):
            form.add_error(None, "This comment was rejected or marked as spam: approve it before replying.")
            return self.form_invalid(form)
        posted = services.reply_as_staff(self.comment, self.request.user, form.cleaned_data["body"])
        thread = posted.comment.parent
        messages.success(
            self.request,
            "Your reply is published" + (f" and {thread.name} will get an email." if posted.notified else "."),
        )
        return back_to_list(self.request, Status.APPROVED)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response
