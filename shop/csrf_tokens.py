"""CSRF secrets and masks drawn from one read of the system's random source.

Django draws each of the 32 characters of a CSRF secret, and of the mask it puts on every token,
with its own secrets.choice(): 64 reads of the random source, about 0.15 ms, for every new visitor
of a page with a form, cached or not, a sixth of what serving a cached page costs. This draws the
same thing (CSRF_SECRET_LENGTH characters, each equally likely, from CSRF_ALLOWED_CHARS, from the
operating system's cryptographic source) from one secrets.token_bytes() call, keeping only the
bytes below the largest multiple of the alphabet's size, so that none is more likely than another.

install() (from ShopConfig.ready) puts it in place of django.middleware.csrf._get_new_csrf_string,
which get_token() and the cookie rotation look up at each call.
"""

import secrets

from django.middleware import csrf

ALPHABET = csrf.CSRF_ALLOWED_CHARS
LENGTH = csrf.CSRF_SECRET_LENGTH
LIMIT = 256 - 256 % len(ALPHABET)  # bytes at or above it are dropped: no character is favoured


def new_csrf_string():
    chars = []
    while len(chars) < LENGTH:
        chars.extend(ALPHABET[byte % len(ALPHABET)] for byte in secrets.token_bytes(LENGTH + 8) if byte < LIMIT)
    return "".join(chars[:LENGTH])


def install():
    csrf._get_new_csrf_string = new_csrf_string
