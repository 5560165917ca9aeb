"""Random input to the public forms and the Stripe webhook: a 4xx or a normal page, never a 500.

The test client re-raises any exception a view lets escape, so a crash fails the example that
caused it, and Hypothesis shrinks it to the smallest such input.
"""

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.checkout_helpers import WEBHOOK_SECRET, sign

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Any text a browser could send in a form field, including NUL and lone surrogates' neighbours.
text = st.text(st.characters(codec="utf-8"), max_size=300)
form_values = st.one_of(text, st.integers().map(str), st.just(""), st.text(max_size=5000))


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    """Rate limits would answer 429 after a few examples; fuzz the views behind them."""
    settings.NEWSLETTER_SIGNUP_RATE = "100000/h"
    settings.COMMENTS_RATE_PER_IP = "100000/h"
    settings.COMMENTS_RATE_PER_EMAIL = "100000/h"
    settings.STORE_LOGIN_RATE = "100000/m"
    settings.STORE_BASKET_ADD_RATE = "100000/m"


def assert_no_server_error(response):
    assert response.status_code < 500, response.status_code


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["email", "source", "consent", "website", "ts", "x"]), form_values))
def test_newsletter_signup(client, db, data):
    assert_no_server_error(client.post(reverse("newsletter:subscribe"), data))


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "name": form_values, "email": form_values, "body": form_values,
            "parent": form_values, "ts": form_values, "website": form_values,
        },
    )
)
def test_article_comment(client, claw, data):
    assert_no_server_error(client.post("/learn/psoas-trigger-points/comments/", data))


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["quantity", "child_id", "options", "action"]), form_values))
def test_basket_add(client, claw, data):
    assert_no_server_error(client.post(reverse("basket:add", kwargs={"pk": claw.pk}), data))


@FUZZ
@given(
    data=st.dictionaries(
        st.sampled_from(["login_submit", "login-username", "login-password", "registration_submit",
                         "registration-email", "registration-password1", "registration-password2", "redirect_url"]),
        form_values,
    )
)
def test_login_and_registration(client, db, data):
    assert_no_server_error(client.post(reverse("customer:login"), data))


@FUZZ
@given(query=text, page=form_values)
def test_search(client, seeded, query, page):
    assert_no_server_error(client.get(reverse("search:search"), {"q": query, "page": page}))


@FUZZ
@given(body=st.binary(max_size=2000), signature=st.one_of(st.none(), text, st.just("t=1,v1=00")))
def test_webhook_random_bodies_and_signatures(client, db, settings, body, signature):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    headers = {} if signature is None else {"HTTP_STRIPE_SIGNATURE": signature.replace("\n", " ")}
    response = client.post(reverse("payments:stripe-webhook"), data=body, content_type="application/json", **headers)
    assert response.status_code == 400  # nothing unsigned gets through


stripe_ids = st.from_regex(r"\A(pi|ch|re|dp)_[A-Za-z0-9]{1,24}\Z")
# Stripe-shaped objects: the field types Stripe sends, with random values (and ids of objects
# that do not exist). A signed event can only come from Stripe, so its shape is Stripe's.
stripe_objects = st.fixed_dictionaries(
    {"id": stripe_ids, "object": st.sampled_from(["payment_intent", "charge", "refund", "dispute"])},
    optional={
        "amount": st.integers(min_value=0, max_value=10**9),
        "amount_received": st.integers(min_value=0, max_value=10**9),
        "amount_refunded": st.integers(min_value=0, max_value=10**9),
        "currency": st.sampled_from(["usd", "eur", "xxx"]),
        "status": st.sampled_from(["succeeded", "requires_payment_method", "canceled", "processing", "failed"]),
        "payment_intent": stripe_ids,
        "metadata": st.dictionaries(st.text(max_size=20), st.text(max_size=40), max_size=4),
        "last_payment_error": st.none() | st.fixed_dictionaries({"message": st.text(max_size=80)}),
    },
)


@FUZZ
@given(
    event_type=st.sampled_from(
        ["payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
         "charge.refunded", "charge.dispute.created", "customer.created"]
    ),
    event_id=st.from_regex(r"\Aevt_[A-Za-z0-9]{1,24}\Z"),
    obj=stripe_objects,
)
def test_webhook_signed_events_with_random_content(client, db, settings, event_type, event_id, obj):
    """Correctly signed, so they reach the handlers: unknown ids and odd values must not crash them."""
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    event = {"id": event_id, "object": "event", "type": event_type, "data": {"object": obj}}
    payload = json.dumps(event)
    response = client.post(
        reverse("payments:stripe-webhook"), data=payload, content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )
    assert_no_server_error(response)
