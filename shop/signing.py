"""Signed tokens: the values the store puts in emailed links and forms and later takes back.

One kind of token per use (a newsletter confirmation, a comment's unsubscribe link, the comment
form's timestamp...), each with its own salt, so a token of one kind is never accepted as another.
A token is signed with SECRET_KEY, so it cannot be forged or altered; it is not encrypted, so it
must hold nothing secret. Reading one raises BadToken (ExpiredToken, a BadToken, when it is older
than the max_age asked for), whatever went wrong.
"""

from django.core import signing


class BadToken(Exception):
    """Not a token of this kind that we made: tampered, truncated, garbled or of another kind."""


class ExpiredToken(BadToken):
    """One of ours, but older than the max_age it was read with."""


class TokenKind:
    """Make and read the tokens of one kind.

    `timestamped` tokens (the default; django.core.signing.dumps) carry the time they were made, so
    they can be read with a max_age. Without it (signing.Signer) a token holds the payload only:
    shorter, and the same every time for the same payload (a never-expiring unsubscribe link).
    The two formats differ, so a kind keeps the one its links went out with.
    """

    def __init__(self, salt, *, timestamped=True):
        self.salt = salt
        self.timestamped = timestamped

    def _signer(self):
        cls = signing.TimestampSigner if self.timestamped else signing.Signer
        return cls(salt=self.salt)

    def make(self, payload):
        """A URL-safe token for `payload` (anything JSON can hold)."""
        return self._signer().sign_object(payload)

    def read(self, token, *, max_age=None):
        """The payload of a token this kind made; max_age (seconds) only for timestamped kinds."""
        if max_age is not None and not self.timestamped:
            raise TypeError(f"Tokens of {self.salt!r} carry no timestamp: they cannot expire.")
        kwargs = {"max_age": max_age} if self.timestamped else {}
        try:
            return self._signer().unsign_object(str(token), **kwargs)
        except signing.SignatureExpired as error:
            raise ExpiredToken(str(error)) from error
        except (signing.BadSignature, ValueError) as error:
            # ValueError: a correctly signed value of the other format (no timestamp where one is due).
            raise BadToken(str(error)) from error
