from urllib.parse import urlencode

from django import template
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q

from .. import conf, services, tokens
from ..forms import CommentForm
from ..models import Comment
from ..text import render_text

register = template.Library()

ORDERS = {"newest": ("-created", "-pk"), "oldest": ("created", "pk")}
POSTED_MESSAGES = {
    "confirm-email": "Thanks! Please check your email: click the link we sent you to confirm your comment. "
    "It then waits for a moderator.",
    "pending": "Thanks! Your comment is awaiting moderation and will appear once a moderator has read it.",
    "published": "Thanks! Your comment is published.",
}


@register.filter
def comment_text(text):
    return render_text(text)


@register.simple_tag(takes_context=True)
def comment_section(context, article):
    """Everything the comments under an article need, in a constant number of queries: the
    count, one page of threads with their replies, and who among the authors bought the product."""
    request = context["request"]
    order = request.GET.get("comments_order")
    if order not in ORDERS:
        order = conf.get("COMMENTS_DEFAULT_ORDER")
    threads = (
        Comment.objects.approved()
        .threads()
        .filter(article=article)
        .order_by(*ORDERS[order])
        .prefetch_related(
            Prefetch("replies", queryset=Comment.objects.approved().order_by("created", "pk"), to_attr="shown_replies")
        )
    )
    # One aggregate gives both the paginator's thread count and the total shown in the
    # heading, so the article page stays within its query budget.
    counts = Comment.objects.approved().filter(article=article).aggregate(
        total=Count("pk"), threads=Count("pk", filter=Q(parent__isnull=True))
    )
    paginator = Paginator(threads, conf.get("COMMENTS_PER_PAGE"))
    paginator.count = counts["threads"]  # overrides the cached_property: no COUNT query of its own
    page = paginator.get_page(request.GET.get("comments_page"))
    page.object_list = list(page.object_list)
    shown = [c for thread in page.object_list for c in (thread, *thread.shown_replies)]
    verified = services.verified_buyer_ids(article, shown)
    for comment in shown:
        comment.verified_buyer = comment.pk in verified

    form = context.get("comment_form")
    if form is None:
        replying_to = _find(page, _reply_to(request))
        form = CommentForm(article=article, user=request.user, initial={"parent": replying_to and replying_to.pk})
    else:
        replying_to = form.parent_comment
    article_url = article.get_absolute_url()

    def url(**params):
        query = {"comments_order": order, "comments_page": page.number, **params}
        return f"{article_url}?{urlencode(query)}"

    return {
        "page": page,
        "threads": page.object_list,
        "count": counts["total"],
        "order": order,
        "url": url,
        "newest_url": url(comments_order="newest", comments_page=1),
        "oldest_url": url(comments_order="oldest", comments_page=1),
        "previous_url": url(comments_page=page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(comments_page=page.next_page_number()) if page.has_next() else "",
        "form": form,
        "form_token": tokens.form_token(article),
        "replying_to": replying_to,
        "cancel_reply_url": url(),
        "error": context.get("comment_error", ""),
        "posted_message": POSTED_MESSAGES.get(request.GET.get("comment_posted"), ""),
        "open": article.is_live,
        "posting_as": services.display_name(request.user) if request.user.is_authenticated else "",
    }


def _reply_to(request):
    try:
        return int(request.GET.get("reply_to", ""))
    except ValueError:
        return None


def _find(page, pk):
    return next((thread for thread in page.object_list if thread.pk == pk), None) if pk else None


@register.simple_tag
def reply_url(section, thread):
    """The link that puts a reply to this thread into the form at the end (works without JS)."""
    return section["url"](reply_to=thread.pk) + "#comment-form"
