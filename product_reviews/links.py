"""The signed opt-out link of a review request. It holds the address (the customer may have no
account, or another address on it by now) and never expires; the signature makes it tamper-proof
(shop.signing). Links start from settings.SITE_URL (shop.links), never from a Host header."""

from django.urls import reverse

from shop import signing
from shop.links import absolute_url

OPT_OUT = signing.TokenKind("product_reviews.opt-out", timestamped=False)

InvalidToken = signing.BadToken


def opt_out_url(email):
    return absolute_url(reverse("product_reviews:opt-out", args=[OPT_OUT.make({"e": email})]))


def read_opt_out_token(token):
    """The address, or InvalidToken."""
    data = OPT_OUT.read(token)
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        raise InvalidToken("no address in the token")
    return data["e"]
