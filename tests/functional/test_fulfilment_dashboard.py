"""Staff take orders from paid to delivered, cancelled or returned on Oscar's order page (WebTest),
with the stock figures, emails and links at each step."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from fulfilment import statuses
from fulfilment.models import Shipment
from tests.fixtures.fulfilment import Stock, stock_of
from tests.fixtures.mail import link_in, path_of

pytestmark = pytest.mark.django_db

ShippingEvent = get_model("order", "ShippingEvent")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """What waits for the commit (emails) runs when the block ends, as after a real request."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def order_page(app, order, user, **kwargs):
    return app.get(reverse("dashboard:order-detail", kwargs={"number": order.number}), user=user, **kwargs)


def forms_of(page):
    return [form for key, form in page.forms.items() if isinstance(key, int)]  # also keyed by id


def form_with(page, name, value):
    """The one form on the page with this hidden action."""
    [form] = [f for f in forms_of(page) if name in f.fields and f[name].value == value]
    return form


def ship_form(page):
    return form_with(page, "order_action", "ship_order")


def guest_status_page(app, link, email):
    """A guest's order page from the link in an email: Oscar asks for the order's email first."""
    form = next(f for f in forms_of(app.get(path_of(link)).follow()) if "email" in f.fields)
    form["email"] = email
    return form.submit().maybe_follow()


def message_to(address):
    return [m for m in mail.outbox if address in m.to][-1]


def test_paid_shipped_with_tracking_then_delivered(django_app, paid_order, claw, staff_user, committed):
    page = order_page(django_app, paid_order, staff_user)
    assert "Fulfilment" in page.text and "Paid" in page.html.select_one("#fulfilment-title").text
    assert stock_of(claw) == Stock(in_stock=100, allocated=1)

    form = ship_form(page)
    form["carrier"] = "usps"
    form["tracking_number"] = "9400 1118 9922 3100 0000 00"
    with committed():
        page = form.submit(user=staff_user).follow(user=staff_user)
    assert "is shipped with USPS, tracking number 9400111899223100000000" in page.text
    assert stock_of(claw) == Stock(in_stock=99, allocated=0)
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.SHIPPED
    tracking = "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223100000000"
    assert page.html.select_one(f'#fulfilment a[href="{tracking}"]')
    shipped = message_to("ada@example.com")
    assert link_in(shipped, "usps.com") == tracking
    status_link = link_in(shipped, paid_order.number)
    assert status_link.startswith("https://testserver/")
    status_page = guest_status_page(django_app, status_link, "ada@example.com")
    assert status_page.html.select_one(f'.order-timeline a[href="{tracking}"]')

    with committed():
        page = form_with(page, "order_action", "change_order_status").submit(
            "new_status", value="Delivered", user=staff_user
        ).follow(user=staff_user)
    assert f"Order {paid_order.number} is now Delivered. The customer has been emailed." in page.text
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.DELIVERED
    delivered = message_to("ada@example.com")
    assert delivered.subject == f"Your QL Claw order {paid_order.number} has been delivered"
    assert link_in(delivered, paid_order.number) == status_link
    assert stock_of(claw) == Stock(in_stock=99, allocated=0)
    assert not page.html.select("#ship")  # nothing left to ship


def test_paid_then_cancelled(django_app, paid_order, claw, staff_user, fake_stripe, committed):
    page = order_page(django_app, paid_order, staff_user)
    form = form_with(page, "order_action", "cancel_order")
    assert "Cancel the order and refund $55.94" in page.text
    form["reason"] = "The customer asked us to"
    page = form.submit(user=staff_user, status=400)  # the box was not ticked
    assert "Tick the box to confirm." in page.text
    assert stock_of(claw) == Stock(in_stock=100, allocated=1)

    form = form_with(page, "order_action", "cancel_order")
    assert form["reason"].value == "The customer asked us to"  # what was typed is kept
    form["confirm"] = True
    with committed():
        page = form.submit(user=staff_user).follow(user=staff_user)
    assert "is cancelled, its stock is back on sale, $55.94 refunded" in page.text
    assert stock_of(claw) == Stock(in_stock=100, allocated=0)
    assert [r["amount"] for r in fake_stripe.refunds] == [5594]
    cancelled = message_to("ada@example.com")
    assert "We have refunded $55.94" in cancelled.body and "Why: The customer asked us to" in cancelled.body
    assert "there is nothing more to do with it" in page.text


def test_shipped_then_returned_restocked_and_refunded(
    django_app, place_order, claw, staff_user, fake_stripe, committed
):
    order = place_order(quantity=2)  # $99.98, free standard shipping
    page = order_page(django_app, order, staff_user)
    form = ship_form(page)
    form["carrier"], form["tracking_number"] = "fedex", "123456789012"
    form.submit(user=staff_user)
    assert stock_of(claw) == Stock(in_stock=98, allocated=0)

    page = order_page(django_app, order, staff_user)
    form = form_with(page, "line_action", "record_return")
    line = order.lines.get()
    form["selected_line"] = [str(line.pk)]
    form[f"selected_line_qty_{line.pk}"] = "2"
    form["restock"] = "yes"
    form["refund_amount"] = "99.98"
    with committed():
        page = form.submit(user=staff_user).follow(user=staff_user)
    assert "Return recorded" in page.text and "put back in stock, $99.98 refunded" in page.text
    assert stock_of(claw) == Stock(in_stock=100, allocated=0)
    order.refresh_from_db()
    assert order.status == statuses.REFUNDED
    assert [r["amount"] for r in fake_stripe.refunds] == [9998]
    refunded = message_to("ada@example.com")
    assert refunded.subject == f"We refunded $99.98 for your QL Claw order {order.number}"
    assert "That is the whole order" in refunded.body


def test_a_return_that_stays_off_the_shelf(django_app, paid_order, claw, staff_user):
    from fulfilment import services

    services.ship_order(paid_order, carrier="ups", tracking_number="1Z999AA10123456784", user=staff_user)
    form = form_with(order_page(django_app, paid_order, staff_user), "line_action", "record_return")
    line = paid_order.lines.get()
    form["selected_line"] = [str(line.pk)]
    page = form.submit(user=staff_user, status=400)  # restock is a choice staff must make
    assert "Say whether the items go back in stock." in page.text
    form = form_with(page, "line_action", "record_return")
    form["selected_line"] = [str(line.pk)]
    form["restock"] = "no"
    form.submit(user=staff_user).follow(user=staff_user)
    assert stock_of(claw) == Stock(in_stock=99, allocated=0)
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.RETURNED


@pytest.mark.parametrize(
    "number, message",
    [
        ('<img src=x onerror="alert(1)">', "only letters and digits"),
        ("9" * 500, "at most 34 letters and digits; this one has 500 characters"),
        ("", "This field is required."),
    ],
)
def test_a_bad_tracking_number_is_a_form_error(django_app, paid_order, claw, staff_user, number, message):
    form = ship_form(order_page(django_app, paid_order, staff_user))
    form["tracking_number"] = number
    page = form.submit(user=staff_user, status=400)
    assert message in page.html.select_one("#ship .invalid-feedback").text
    assert ship_form(page)["tracking_number"].value == number  # kept, escaped
    assert not page.html.select("#ship img")
    assert stock_of(claw) == Stock(in_stock=100, allocated=1)
    assert not Shipment.objects.exists() and not ShippingEvent.objects.exists()


def test_unknown_and_out_of_order_statuses_are_messages(django_app, paid_order, staff_user):
    page = order_page(django_app, paid_order, staff_user)
    token = page.forms["order_status_form"]["csrfmiddlewaretoken"].value
    url = reverse("dashboard:order-detail", kwargs={"number": paid_order.number})
    for status, message in [
        ("Teleported", "&#x27;Teleported&#x27; is not an order status"),
        ("Delivered", "is Paid: it can become Processing, Shipped, Cancelled or Refunded, not Delivered"),
        ("Shipped", "ship it with its carrier and tracking number"),
    ]:
        response = django_app.post(
            url,
            {"order_action": "change_order_status", "new_status": status, "csrfmiddlewaretoken": token},
            user=staff_user,
        ).follow(user=staff_user)
        assert message in response.text
    no_status = django_app.post(
        url, {"order_action": "change_order_status", "csrfmiddlewaretoken": token}, user=staff_user
    ).follow(user=staff_user)
    assert "&#x27;&#x27; is not an order status" in no_status.text
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.PAID


def test_oscars_catch_all_line_actions_are_gone(django_app, paid_order, claw, staff_user):
    """A shipping event made by hand would skip the stock and the email: refused."""
    page = order_page(django_app, paid_order, staff_user)
    token = page.forms["order_status_form"]["csrfmiddlewaretoken"].value
    line = paid_order.lines.get()
    response = django_app.post(
        reverse("dashboard:order-detail", kwargs={"number": paid_order.number}),
        {
            "line_action": "create_shipping_event",
            "selected_line": line.pk,
            f"selected_line_qty_{line.pk}": 1,
            "shipping_event_type": "shipped",
            "csrfmiddlewaretoken": token,
        },
        user=staff_user,
    ).follow(user=staff_user)
    assert "Invalid action" in response.text
    assert not ShippingEvent.objects.exists()
    assert stock_of(claw) == Stock(in_stock=100, allocated=1)


def test_a_customer_cannot_reach_the_order_pages(django_app, paid_order, customer):
    response = order_page(django_app, paid_order, customer, expect_errors=True)
    assert response.status_code in (302, 403)
    response = django_app.post(
        reverse("dashboard:order-detail", kwargs={"number": paid_order.number}),
        {"order_action": "ship_order", "carrier": "ups", "tracking_number": "1Z999AA10123456784"},
        user=customer,
        expect_errors=True,
    )
    assert response.status_code in (302, 403)
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.PAID


def test_staff_who_may_only_look_cannot_change_anything(django_app, paid_order, claw, staff_without_permissions):
    # Unprivileged staff: not even the page.
    assert order_page(django_app, paid_order, staff_without_permissions, expect_errors=True).status_code in (302, 403)
    # Staff who may view orders but not change them: the page, without the forms, and a 403 on a POST.
    staff_without_permissions.user_permissions.add(Permission.objects.get(codename="view_order"))
    page = order_page(django_app, paid_order, staff_without_permissions)
    assert "needs the \"Can change order\" permission" in page.html.select_one("#fulfilment").text
    assert not page.html.select("#ship")
    token = page.forms["order_status_form"]["csrfmiddlewaretoken"].value
    for data in (
        {"order_action": "ship_order", "carrier": "ups", "tracking_number": "1Z999AA10123456784"},
        {"order_action": "cancel_order", "confirm": "on"},
        {"order_action": "change_order_status", "new_status": "Processing"},
    ):
        response = django_app.post(
            reverse("dashboard:order-detail", kwargs={"number": paid_order.number}),
            {**data, "csrfmiddlewaretoken": token},
            user=staff_without_permissions,
            expect_errors=True,
        )
        assert response.status_code == 403
    for url_name in ("dashboard:order-tracking-upload", "dashboard:order-ship-selected"):
        assert django_app.get(reverse(url_name), user=staff_without_permissions, expect_errors=True).status_code in (
            302,
            403,
        )
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.PAID
    assert stock_of(claw) == Stock(in_stock=100, allocated=1)


def test_the_refund_form_still_renders_the_page_with_fulfilment(django_app, paid_order, staff_user, fake_stripe):
    """The checkout's refund view renders this page too, without fulfilment's context."""
    page = order_page(django_app, paid_order, staff_user)
    [form] = [f for f in forms_of(page) if f.action == reverse("payments:order-refund", args=[paid_order.number])]
    form["amount"] = "999"
    page = form.submit(user=staff_user, status=400)
    assert page.html.select_one("#ship") and "At most $55.94 can be refunded" in page.text
    assert Decimal(paid_order.sources.get().amount_refunded) == 0


def test_staff_reword_an_email_in_the_dashboard_and_preview_it(
    django_app, paid_order, place_order, staff_user, committed
):
    from fulfilment import services

    services.ship_order(paid_order, carrier="ups", tracking_number="1Z999AA10123456784", user=staff_user)
    page = django_app.get(reverse("dashboard:comms-update", kwargs={"slug": "ORDER_SHIPPED"}), user=staff_user)
    form = next(f for f in forms_of(page) if "email_subject_template" in f.fields)
    form["email_subject_template"] = "{{ order.number }} has left the building"
    form["preview_order_number"] = paid_order.number
    preview = form.submit("show_preview", user=staff_user)
    assert preview.status_code == 200
    assert "Tracking number: 1Z999AA10123456784" in preview.text  # the order's own parcel in the preview
    form = next(f for f in forms_of(preview) if "email_subject_template" in f.fields)
    form.submit(user=staff_user)

    order = place_order(email="bo@example.com")
    with committed():
        services.ship_order(order, carrier="usps", tracking_number="9400111899223100000000", user=staff_user)
    assert message_to("bo@example.com").subject == f"{order.number} has left the building"
