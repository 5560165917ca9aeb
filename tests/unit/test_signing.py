"""shop.signing: one way to make and read the signed tokens of emailed links and forms."""

from unittest import mock

import pytest
from django.core import signing as django_signing

from article_comments import tokens as comment_tokens
from newsletter import links as newsletter_links
from shop.signing import BadToken, ExpiredToken, TokenKind

SPOT = TokenKind("tests.spot")


def test_round_trip_and_expiry():
    token = SPOT.make({"n": 1})
    assert SPOT.read(token) == {"n": 1}
    assert SPOT.read(token, max_age=60) == {"n": 1}
    with mock.patch("django.core.signing.time.time", return_value=django_signing.time.time() + 61):
        with pytest.raises(ExpiredToken):
            SPOT.read(token, max_age=60)
        assert SPOT.read(token) == {"n": 1}  # no max_age: never expires


@pytest.mark.parametrize("bad", ["", "garbage", "a:b:c", None, "é:ü:ß"])
def test_anything_else_is_one_error(bad):
    with pytest.raises(BadToken):
        SPOT.read(bad)


def test_kinds_do_not_read_each_other():
    other = TokenKind("tests.other")
    plain = TokenKind("tests.spot", timestamped=False)
    with pytest.raises(BadToken):
        other.read(SPOT.make({"n": 1}))
    with pytest.raises(BadToken):
        SPOT.read(plain.make({"n": 1}))  # same salt, other format
    with pytest.raises(BadToken):
        plain.read(SPOT.make({"n": 1}))
    with pytest.raises(TypeError):
        plain.read(plain.make({"n": 1}), max_age=60)


def test_links_already_sent_keep_working():
    """The formats and salts of the tokens made before shop.signing existed."""
    newsletter_confirm = django_signing.TimestampSigner(salt="newsletter.confirm").sign_object({"s": 4, "k": "key"})
    assert newsletter_links.read_confirmation_token(newsletter_confirm) == (4, "key")
    newsletter_unsubscribe = django_signing.Signer(salt="newsletter.unsubscribe").sign_object({"s": 4})
    assert newsletter_links.read_unsubscribe_token(newsletter_unsubscribe) == 4

    comment_confirm = django_signing.dumps({"c": 7, "e": "dana@example.com"}, salt="article_comments.confirm")
    assert comment_tokens.read_confirmation_token(comment_confirm, max_age=60) == (7, "dana@example.com")
    comment_unsubscribe = django_signing.dumps({"c": 7, "e": "dana@example.com"}, salt="article_comments.unsubscribe")
    assert comment_tokens.read_unsubscribe_token(comment_unsubscribe) == (7, "dana@example.com")
    form = django_signing.dumps({"a": 3, "t": 1_700_000_000_000}, salt="article_comments.form")
    assert comment_tokens.form_token_age(form, mock.Mock(pk=3)) > 0
