"""CSRF secrets and masks drawn from one read of the system's random source.

Django draws each of the 32 characters of a CSRF secret, and of the mask it puts on every token,
with its own secrets.choice(): 64 reads of the random source, about 0.15 ms, for every new visitor
of a page with a form, cached or not, a sixth of what serving a cached page costs. This draws the
same thing (CSRF_SECRET_LENGTH characters, each equally likely, from CSRF_ALLOWED_CHARS, from the
operating system's cryptographic source) from one secrets.token_bytes() call, keeping only the
bytes below the largest multiple of the alphabet's size, so that none is more likely than another.

Both are table look-ups done in C: the random bytes become characters with bytes.translate(), which
also drops the bytes past the last whole round of the alphabet, and masking the secret for a token
(django.middleware.csrf._mask_cipher_secret: each character of the secret shifted by the mask's,
modulo the alphabet, which Django looks up with str.index in generator expressions) reads each
pair's sum from a table of every pair. About 2 µs each instead of 15-20: a cached page for a new
visitor draws two of them.

install() (from ShopConfig.ready) puts both in place of Django's functions, which get_token() and
the cookie rotation look up at each call.
"""

import operator
import secrets

from django.middleware import csrf

ALPHABET = csrf.CSRF_ALLOWED_CHARS
LENGTH = csrf.CSRF_SECRET_LENGTH
DJANGOS_MASK = csrf._mask_cipher_secret  # captured on import, before install(): for the tests to compare
LIMIT = 256 - 256 % len(ALPHABET)  # bytes at or above it are dropped: no character is favoured


CHARACTER = bytes(ord(ALPHABET[byte % len(ALPHABET)]) for byte in range(256))  # a byte -> its character
DROPPED = bytes(range(LIMIT, 256))


def new_csrf_string():
    chars = b""
    while len(chars) < LENGTH:
        chars += secrets.token_bytes(LENGTH + 8).translate(CHARACTER, DROPPED)
    return chars[:LENGTH].decode("ascii")


# "xy" (a character of the secret, then the mask's) -> the masked character.
SHIFTED = {x + y: ALPHABET[(i + j) % len(ALPHABET)] for i, x in enumerate(ALPHABET) for j, y in enumerate(ALPHABET)}


def mask_cipher_secret(secret):
    """Django's _mask_cipher_secret: a new mask, then mask + (secret shifted by the mask)."""
    mask = csrf._get_new_csrf_string()
    return mask + "".join(map(SHIFTED.__getitem__, map(operator.add, secret, mask)))


def install():
    csrf._get_new_csrf_string = new_csrf_string
    csrf._mask_cipher_secret = mask_cipher_secret
