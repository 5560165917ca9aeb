"""The contact form's signed "served at" timestamp (shop.signing): a kind of its own, so a
comment form's token is never accepted here, nor this one there."""

import time

from shop import signing

FORM = signing.TokenKind("support.contact.form")
BadToken = signing.BadToken


def form_token(issued_at=None):
    issued = time.time() if issued_at is None else issued_at
    return FORM.make({"t": int(issued * 1000)})


def form_token_age(token):
    """Seconds since the form was served. Raises BadToken if it was altered or is not ours."""
    data = FORM.read(token)
    if not isinstance(data, dict) or not isinstance(data.get("t"), int):
        raise BadToken("Not a contact form token.")
    return time.time() - data["t"] / 1000
