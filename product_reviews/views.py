"""The opt-out page a review request links to. The signed token in the URL is the only
credential: no login, session or CSRF cookie (mailbox providers' one-click POSTs carry none).
A GET asks (mail scanners fetch every link), a POST acts; a link that is not ours is a 400."""

from functools import wraps

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import links, requests
from .models import ReviewOptOut


def link_page(view):
    @csrf_exempt
    @never_cache
    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def wrapper(request, token):
        try:
            email = links.read_opt_out_token(token)
        except links.InvalidToken:
            response = render(request, "product_reviews/link_problem.html", status=400)
        else:
            response = view(request, token, email)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


@link_page
def opt_out(request, token, email):
    if request.method == "POST":
        requests.opt_out(email)
        return render(request, "product_reviews/opted_out.html", {"email": email})
    if ReviewOptOut.objects.for_email(email).exists():
        return render(request, "product_reviews/opted_out.html", {"email": email})
    return render(request, "product_reviews/opt_out.html", {"email": email, "token": token})
