"""Newsletter rules that need no database: addresses, sources, consent, signed links, settings checks."""

from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import override_settings

from newsletter import checks, consent, links
from newsletter.forms import SignupForm
from newsletter.validators import clean_signup_email, is_valid_source, normalise_email
from shop.security import client_ip


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ann@example.com", "ann@example.com"),
        ("  Ann.Lee@Example.COM \t", "Ann.Lee@example.com"),
        ("o'neil+claw@Mail.Example.org", "o'neil+claw@mail.example.org"),
    ],
)
def test_addresses_are_stripped_and_the_domain_lowercased(typed, stored):
    assert clean_signup_email(typed) == stored
    assert normalise_email(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("ann@example.com\r\nBcc: victim@example.com", "multiline"),
        ("ann@example.com\n", "multiline"),
        ("ann@example.com\rX-Injected: 1", "multiline"),
        ("ann@example.com,bob@example.com", "several"),
        ("ann@example.com; bob@example.com", "several"),
        ("ann@example.com bob@example.com", "several"),
        ("Ann <ann@example.com>", "several"),
        ("ann@bob@example.com", "several"),
        ("a" * 243 + "@example.com", "too_long"),
        ("not-an-address", "invalid"),
        ("ann@", "invalid"),
        ("@example.com", "invalid"),
        ("ann@example", "invalid"),
        ("ann..lee@example.com", "invalid"),
    ],
)
def test_bad_addresses_are_refused_with_a_reason(typed, code):
    with pytest.raises(ValidationError) as refused:
        clean_signup_email(typed)
    assert refused.value.code == code
    assert str(refused.value.messages[0])


def test_an_address_of_exactly_254_characters_is_accepted():
    address = "a" * 64 + "@" + ".".join(["b" * 60, "c" * 60, "d" * 63]) + ".com"
    assert len(address) == 254
    assert clean_signup_email(address) == address


@pytest.mark.parametrize("source", ["footer", "checkout", "article:psoas-release", "article:ql_stretch-2"])
def test_known_sources(source):
    assert is_valid_source(source)


@pytest.mark.parametrize("source", ["", "header", "article:", "article:a b", "article:x/y", "checkout\n", "footer "])
def test_unknown_sources(source):
    assert not is_valid_source(source)


def test_the_form_keeps_what_was_typed_when_it_refuses_it():
    form = SignupForm({"email": "ann@example.com, bob@example.com", "source": "footer"})
    assert not form.is_valid()
    assert form["email"].value() == "ann@example.com, bob@example.com"
    assert "just one email address" in form.first_error()


def test_the_form_refuses_a_forged_source_but_renders_the_page_with_a_safe_one():
    form = SignupForm({"email": "ann@example.com", "source": "evil\r\nsource"})
    assert not form.is_valid()
    assert "Reload the page" in form.first_error()
    assert form.safe_source() == "footer"


def test_consent_unknown_versions_fall_back_to_the_current_text():
    current = consent.get_consent()
    assert current.version == consent.CURRENT_VERSION
    assert current.text == consent.TEXTS[consent.CURRENT_VERSION]
    assert consent.get_consent("1999-01") == current
    assert consent.get_consent(None) == current


def test_the_signup_partial_shows_label_consent_and_source():
    html = render_to_string("newsletter/includes/signup_form.html", {"source": "article:psoas-release"})
    assert 'name="source" value="article:psoas-release"' in html
    assert f'name="consent_version" value="{consent.CURRENT_VERSION}"' in html
    assert '<label class="newsletter-signup__label" for="nl-articlepsoas-release-email">' in html
    assert consent.get_consent().text in html
    assert 'role="status"' in html and 'aria-live="polite"' in html
    assert "csrfmiddlewaretoken" not in html
    assert 'src="/static/newsletter/js/signup.js"' in html


SUBSCRIBER = SimpleNamespace(pk=42, confirmation_key="k-123")


def test_confirmation_tokens_round_trip():
    assert links.read_confirmation_token(links.make_confirmation_token(SUBSCRIBER)) == (42, "k-123")


def test_confirmation_tokens_expire():
    token = links.make_confirmation_token(SUBSCRIBER)
    with override_settings(NEWSLETTER_CONFIRMATION_MAX_AGE=3 * 86400):
        # Three days and a minute later, by the signer's clock.
        later = signing.b62_encode(int(signing.b62_decode(token.split(":")[1])) - 3 * 86400 - 60)
        with mock.patch.object(signing.TimestampSigner, "timestamp", return_value=later):
            old_token = links.make_confirmation_token(SUBSCRIBER)
        with pytest.raises(links.ExpiredToken):
            links.read_confirmation_token(old_token)
        assert links.read_confirmation_token(token) == (42, "k-123")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t.replace(t.split(":")[0], signing.b64_encode(b'{"s":1,"k":"k-123"}').decode()),
        lambda t: t.split(":")[0],
        lambda t: "",
        lambda t: "not-a-token",
        lambda t: "é:ü:ß",
    ],
)
def test_tampered_tokens_are_refused(mangle):
    token = links.make_confirmation_token(SUBSCRIBER)
    with pytest.raises(links.InvalidToken):
        links.read_confirmation_token(mangle(token))
    with pytest.raises(links.InvalidToken):
        links.read_unsubscribe_token(mangle(links.make_unsubscribe_token(SUBSCRIBER)))


def test_unsubscribe_tokens_never_expire_and_are_not_confirmation_tokens():
    token = links.make_unsubscribe_token(SUBSCRIBER)
    assert links.read_unsubscribe_token(token) == 42
    with pytest.raises(links.InvalidToken):
        links.read_confirmation_token(token)
    with pytest.raises(links.InvalidToken):
        links.read_unsubscribe_token(links.make_confirmation_token(SUBSCRIBER))


@override_settings(SITE_URL="https://shop.example.com/")
def test_links_come_from_site_url():
    assert links.confirmation_url(SUBSCRIBER).startswith("https://shop.example.com/newsletter/confirm/")
    assert links.unsubscribe_url(SUBSCRIBER).startswith("https://shop.example.com/newsletter/unsubscribe/")


def test_the_test_profile_passes_the_checks(settings):
    assert settings.DEBUG is False
    assert settings.SITE_URL.startswith("https://")
    assert checks.check_site_url(None) == []


@override_settings(DEBUG=False, SITE_URL="http://127.0.0.1:8000")
def test_check_refuses_plain_http_in_production():
    assert [problem.id for problem in checks.check_site_url(None)] == ["newsletter.E001"]


@override_settings(DEBUG=True, SITE_URL="http://127.0.0.1:8000")
def test_check_lets_development_use_http():
    assert checks.check_site_url(None) == []


@override_settings(DEBUG=False, SITE_URL="https://elsewhere.example", ALLOWED_HOSTS=["shop.example.com"])
def test_check_warns_when_links_would_point_at_another_host():
    assert [problem.id for problem in checks.check_site_url(None)] == ["newsletter.W001"]


@pytest.mark.parametrize(
    ("meta", "proxies", "expected"),
    [
        ({"REMOTE_ADDR": "203.0.113.9"}, 0, "203.0.113.9"),
        ({"REMOTE_ADDR": "2001:DB8::1"}, 0, "2001:db8::1"),
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}, 1, "198.51.100.7"),
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}, 0, "10.0.0.2"),
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "not an address"}, 1, "10.0.0.2"),
        ({"REMOTE_ADDR": ""}, 0, None),
        ({"REMOTE_ADDR": "not an address"}, 0, None),
    ],
)
def test_the_recorded_ip_is_the_one_the_rate_limits_count(rf, settings, meta, proxies, expected):
    """The consent record keeps shop.security.client_ip: an address or None, never a garbled
    value for the database's inet column."""
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.post("/newsletter/subscribe/", **meta)
    assert client_ip(request) == expected
