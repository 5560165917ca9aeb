"""Public newsletter pages. The flows live in services.py; these only translate HTTP."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_ratelimit.decorators import ratelimit

from shop.security import client_ip

from . import links, reminders, services
from .forms import SignupForm
from .links import ExpiredToken, InvalidToken, UsedToken
from .models import CheckoutReminder, Suppression

# The one answer to every accepted sign-up, whatever state the address was in.
SIGNUP_ACCEPTED = _(
    "Thanks! Please check your inbox: unless this address is already subscribed, "
    "we have sent it a link to confirm."
)
RATE_LIMITED = _("Too many sign-ups have come from your network in the last hour. Please try again later.")


def signup_rate(group, request):
    """Read at request time so the limit can change without a restart (and in tests)."""
    return settings.NEWSLETTER_SIGNUP_RATE


def wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


# No CSRF token on purpose. The form sits in the footer of every page, and a token would set a
# cookie on every anonymous page and keep those pages out of any shared cache. A forged sign-up
# is harmless: it can only send one confirmation email per address per hour (and the IP rate
# limit caps how many addresses), and nobody is subscribed until the mailbox owner confirms.
@csrf_exempt
@vary_on_headers("Accept")
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=signup_rate, method="POST", block=False)
def subscribe(request):
    if request.method == "GET":
        return _signup_page(request, SignupForm(), status=200)
    form = SignupForm(request.POST)
    if getattr(request, "limited", False):
        return _refused(request, form, RATE_LIMITED, status=429)
    if not form.is_valid():
        return _refused(request, form, form.first_error(), status=400)
    data = form.cleaned_data
    services.request_subscription(
        data["email"], source=data["source"], ip=client_ip(request), consent_version=data["consent_version"]
    )
    if wants_json(request):
        return JsonResponse({"message": str(SIGNUP_ACCEPTED)})
    return redirect("newsletter:thanks")


@require_http_methods(["GET", "HEAD"])
def landing(request):
    """/newsletter/: what the newsletter is, and the sign-up form (posting to `subscribe`). Sign-ups
    here count under the "footer" source, as on the sign-up page: the sources are the forms' places
    that the dashboard and campaign audiences know."""
    return render(request, "newsletter/landing.html", {"source": "footer"})


def thanks(request):
    return render(request, "newsletter/thanks.html", {"message": SIGNUP_ACCEPTED})


def _refused(request, form, message, *, status):
    if wants_json(request):
        return JsonResponse({"message": str(message)}, status=status)
    return _signup_page(request, form, status=status, message=message)


def _signup_page(request, form, *, status, message=""):
    context = {"form": form, "page_source": form.safe_source(), "message": message}
    return render(request, "newsletter/subscribe.html", context, status=status)


def link_page(view):
    """Pages reached from links in emails. The signed token in the URL is the only credential, so
    they need no login, session or CSRF cookie (one-click unsubscribe POSTs from mailbox providers
    carry none); the token must not leak through caches, search engines or the Referer header."""

    @csrf_exempt
    @never_cache
    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def wrapper(request, token):
        try:
            response = view(request, token)
        except InvalidToken as problem:
            response = _link_problem(request, problem)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


@link_page
def confirm(request, token):
    # Confirming takes a POST: mail scanners fetch every link in an email with GET, and must not
    # subscribe anybody by doing so.
    if request.method == "POST":
        services.confirm_subscription(token, ip=client_ip(request))
        return redirect("newsletter:confirmed")
    subscriber = services.check_confirmation(token)
    return render(request, "newsletter/confirm.html", {"email": subscriber.email, "token": token})


def confirmed(request):
    return render(request, "newsletter/confirmed.html")


@link_page
def unsubscribe(request, token):
    # Any POST unsubscribes at once: the button on this page and RFC 8058 one-click requests
    # (body "List-Unsubscribe=One-Click") alike. GET only asks, since scanners follow links.
    if request.method == "POST":
        services.unsubscribe(token)
        return render(request, "newsletter/unsubscribed.html")
    subscriber = services.subscriber_for_unsubscribe(token)
    if subscriber is None or subscriber.status == subscriber.Status.UNSUBSCRIBED:
        return render(request, "newsletter/unsubscribed.html")
    context = {"email": subscriber.email, "action": reverse("newsletter:unsubscribe", args=[token])}
    return render(request, "newsletter/unsubscribe.html", context)


@link_page
def opt_out(request, token):
    """A checkout reminder's opt-out: the address may not be on the list, so it is the address that
    is suppressed. Same rules as unsubscribe: a POST (the button, or one-click) acts, a GET asks."""
    if request.method == "POST":
        services.opt_out(token)
        return render(request, "newsletter/unsubscribed.html", {"opted_out": True})
    email = links.read_opt_out_token(token)
    if Suppression.objects.for_email(email).exists():
        return render(request, "newsletter/unsubscribed.html", {"opted_out": True})
    context = {"email": email, "action": reverse("newsletter:opt-out", args=[token]), "opted_out": True}
    return render(request, "newsletter/unsubscribe.html", context)


@never_cache
@require_http_methods(["GET"])
def restore_basket(request, token):
    """The checkout reminder's "back to your basket": its lines go into this visitor's basket."""
    try:
        reminder = CheckoutReminder.objects.filter(pk=links.read_restore_basket_token(token)).first()
    except InvalidToken as problem:
        response = _link_problem(request, problem)
        response["Referrer-Policy"] = "no-referrer"
        return response
    if reminder is None:
        messages.info(request, _("That basket is no longer available."))
        return redirect("basket:summary")
    missing = reminders.restore_basket(request, reminder)
    if missing:
        messages.warning(
            request,
            _("Your basket is back, except what is no longer available: %(titles)s.") % {"titles": ", ".join(missing)},
        )
    else:
        messages.success(request, _("Your basket is back. Take your time."))
    response = redirect("basket:summary")
    response["Referrer-Policy"] = "no-referrer"
    return response


def _link_problem(request, problem):
    if isinstance(problem, ExpiredToken):
        kind, status = "expired", 410
    elif isinstance(problem, UsedToken):
        kind, status = "used", 410
    else:
        kind, status = "invalid", 400
    return render(request, "newsletter/link_problem.html", {"kind": kind}, status=status)
