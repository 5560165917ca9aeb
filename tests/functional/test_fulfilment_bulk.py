"""Shipping many orders at once: from the order list, on one page, or from a CSV file; the day's
list of orders to ship with its CSV export; packing slips."""

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse
from webtest import Upload

from fulfilment import statuses
from fulfilment.models import Shipment
from tests.fixtures.fulfilment import Stock, stock_of

pytestmark = pytest.mark.django_db

UPLOAD = reverse("dashboard:order-tracking-upload")


@pytest.fixture
def three_orders(place_order):
    return [place_order(email=f"s{n}@example.com") for n in range(3)]


def forms_of(page):
    return [form for key, form in page.forms.items() if isinstance(key, int)]


def upload(app, user, content, name="tracking.csv", status=None):
    page = app.get(UPLOAD, user=user)
    form = next(f for f in forms_of(page) if "file" in f.fields)
    form["file"] = Upload(name, content, "text/csv")
    return form.submit(user=user, status=status)


def report(page, title):
    """The lines listed under a heading of the upload's report."""
    heading = page.html.find("h3", string=lambda text: text and text.startswith(title))
    return [li.get_text(" ", strip=True) for li in heading.find_next("ul").select("li")] if heading else []


def csv_bytes(rows, encoding="utf-8"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def test_csv_upload_ships_good_rows_and_reports_the_others_by_line(
    django_app, three_orders, claw, staff_user, django_capture_on_commit_callbacks
):
    first, second, third = three_orders
    content = csv_bytes(
        [
            ["Order number", "Carrier", "Tracking number", "note"],
            [first.number, "UPS", "1Z999AA10123456784", "ignored"],
            [second.number, "usps", "<script>alert(1)</script>", ""],
            ["999999", "FedEx", "123456789012", ""],
            [third.number, "FedEx", "123456789012", ""],
            [third.number, "FedEx", "123456789012", ""],
            [first.number, "", "", ""],
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        page = upload(django_app, staff_user, content)
    assert "2 shipped, 2 refused, 2 skipped" in " ".join(page.html.select_one(".upload-report p").text.split())
    assert report(page, "Refused") == [
        f"Line 3: Order {second.number}: A tracking number has only letters and digits (spaces and dashes are "
        "removed).",
        "Line 4: There is no order 999999.",
    ]
    assert report(page, "Skipped") == [
        f"Line 6 (order {third.number}): The same as line 5: shipped once.",
        f"Line 7 (order {first.number}): No tracking number yet: not shipped.",
    ]
    assert not page.html.select(".upload-report script")
    shipped = {s.order.number: (s.carrier, s.tracking_number) for s in Shipment.objects.all()}
    assert shipped == {first.number: ("ups", "1Z999AA10123456784"), third.number: ("fedex", "123456789012")}
    second.refresh_from_db()
    assert second.status == statuses.PAID
    assert stock_of(claw) == Stock(in_stock=98, allocated=1)
    assert sorted(m.to[0] for m in mail.outbox if "on its way" in m.subject) == ["s0@example.com", "s2@example.com"]

    # The same file again: nothing ships twice, and the rows already shipped say so.
    page = upload(django_app, staff_user, content)
    assert "0 shipped" in page.html.select_one(".upload-report p").text
    assert f"Order {first.number} has already shipped with this tracking number." in page.text
    assert Shipment.objects.count() == 2


def test_one_order_twice_with_different_numbers_is_refused_whole(django_app, paid_order, staff_user):
    content = csv_bytes(
        [
            ["order_number", "carrier", "tracking_number"],
            [paid_order.number, "UPS", "1Z999AA10123456784"],
            [paid_order.number, "UPS", "1Z999AA10123456785"],
        ]
    )
    page = upload(django_app, staff_user, content)
    assert report(page, "Refused") == [
        f"Line 2: Order {paid_order.number} is on lines 2 and 3 with different tracking numbers: nothing done for it.",
        f"Line 3: Order {paid_order.number} is on lines 2 and 3 with different tracking numbers: nothing done for it.",
    ]
    assert not Shipment.objects.exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("orders.csv", b"number;tracking\n100001;1Z999AA10123456784\n", "it is missing carrier"),
        ("orders.csv", b"foo,bar\n1,2\n", "The first line of this file has: foo, bar"),
        ("orders.csv", "order_number,carrier,tracking_number\n100001,Poste \xe9clair,X\n".encode("latin-1"),
         "The file is not UTF-8 text: line 2 has a character in another encoding"),
        ("orders.xlsx", b"PK\x03\x04 a zipped workbook", "This is a spreadsheet workbook, not a CSV file"),
        ("empty.csv", b"", "The submitted file is empty."),
        ("header.csv", b"order_number,carrier,tracking_number\n", "The file has its header line but no rows."),
        ("nul.csv", b"order_number,carrier,tracking_number\n1\x00,2,3\n", "NUL characters"),
    ],
)
def test_a_file_that_cannot_be_read_changes_nothing(django_app, paid_order, staff_user, name, content, message):
    page = upload(django_app, staff_user, content, name=name, status=400)
    assert message in page.html.select_one(".invalid-feedback").text
    assert not Shipment.objects.exists()


def test_utf16_and_semicolons_from_a_spreadsheet_are_read(django_app, paid_order, staff_user):
    content = f"Order;Carrier;Tracking\r\n{paid_order.number};OnTrac Express;D10011223344\r\n".encode("utf-16")
    page = upload(django_app, staff_user, content)
    assert report(page, "Shipped")
    shipment = Shipment.objects.get()
    assert (shipment.carrier, shipment.carrier_name, shipment.tracking_url) == ("other", "OnTrac Express", "")


def test_ship_selected_orders_from_the_list(django_app, three_orders, claw, staff_user):
    first, second, third = three_orders
    page = django_app.get(reverse("dashboard:order-list"), user=staff_user)
    form = page.forms["orders_form"]
    for checkbox in form.fields["selected_order"]:
        if checkbox._value in (str(first.pk), str(second.pk)):
            checkbox.checked = True
    page = form.submit("action", value="ship_selected_orders", user=staff_user).follow(user=staff_user)
    assert [i["value"] for i in page.html.select("input[name=number]")] == [first.number, second.number]

    form = next(f for f in forms_of(page) if "number" in f.fields)
    form[f"{first.number}-carrier"] = "ups"
    form[f"{first.number}-tracking_number"] = "1Z999AA10123456784"
    form[f"{second.number}-tracking_number"] = "x" * 500
    page = form.submit(user=staff_user, status=400)
    assert f"Shipped and emailed: {first.number}." in page.text
    [row] = page.html.select("tbody tr")  # only the refused order is left on the page
    assert "at most 34 letters and digits; this one has 500" in row.text
    assert row.select_one(f"input[name='{second.number}-tracking_number']")["value"] == "x" * 500
    assert stock_of(claw) == Stock(in_stock=99, allocated=2)
    form = next(f for f in forms_of(page) if "number" in f.fields)
    form[f"{second.number}-tracking_number"] = "9400111899223100000000"
    form.submit(user=staff_user).follow(user=staff_user)
    assert Shipment.objects.count() == 2
    assert stock_of(claw) == Stock(in_stock=98, allocated=1)


def test_bulk_status_change_goes_through_the_pipeline(django_app, three_orders, staff_user):
    first, second, _third = three_orders
    from fulfilment import services

    services.cancel_order(second, user=staff_user)
    page = django_app.get(reverse("dashboard:order-list"), user=staff_user)
    form = page.forms["orders_form"]
    for checkbox in form.fields["selected_order"]:
        checkbox.checked = checkbox._value in (str(first.pk), str(second.pk))
    form["new_status"] = "Processing"
    page = form.submit("action", value="change_order_statuses", user=staff_user).follow(user=staff_user)
    assert f"Now Processing: order {first.number}." in page.text
    assert f"Order {second.number} is Cancelled: that is final, not Processing." in page.text
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (statuses.PROCESSING, statuses.CANCELLED)


def test_orders_to_ship_oldest_first_with_a_csv_export(django_app, three_orders, staff_user):
    from fulfilment import services

    first, second, third = three_orders
    services.ship_order(second, carrier="ups", tracking_number="1Z999AA10123456784", user=staff_user)
    address = third.shipping_address
    address.line1 = "=HYPERLINK(\"http://evil.example\")"
    address.save()
    page = django_app.get(reverse("dashboard:order-to-ship"), user=staff_user)
    numbers = [a.text for a in page.html.select("tbody td:nth-of-type(2) a")]
    assert numbers == [first.number, third.number]

    response = django_app.get(reverse("dashboard:order-to-ship") + "?format=csv", user=staff_user)
    assert response.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [row["order_number"] for row in rows] == [first.number, third.number]
    assert rows[1]["line1"] == "'=HYPERLINK(\"http://evil.example\")"  # shown as text, never run
    assert rows[0]["items"] == "1 x QL Claw (QLC-CLAW-01)"
    assert (rows[0]["carrier"], rows[0]["tracking_number"]) == ("", "")

    # Filled in and uploaded back, the export ships the orders.
    rows[0].update(carrier="USPS", tracking_number="9400111899223100000000")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    page = upload(django_app, staff_user, out.getvalue().encode())
    assert report(page, "Shipped") and report(page, "Skipped")
    first.refresh_from_db()
    assert first.status == statuses.SHIPPED


def test_packing_slips_for_one_order_and_for_a_selection(django_app, three_orders, staff_user):
    first, second, _third = three_orders
    page = django_app.get(reverse("dashboard:order-packing-slip", kwargs={"number": first.number}), user=staff_user)
    [slip] = page.html.select(".slip")
    assert first.number in slip.text and "Ada Lovelace" in slip.text and "QLC-CLAW-01" in slip.text
    assert "$" not in slip.text  # no prices on a packing slip
    assert page.html.select_one('link[href$="packing_slip.css"]')

    listing = django_app.get(reverse("dashboard:order-list"), user=staff_user)
    form = listing.forms["orders_form"]
    for checkbox in form.fields["selected_order"]:
        checkbox.checked = checkbox._value in (str(first.pk), str(second.pk))
    page = form.submit("action", value="print_packing_slips", user=staff_user).follow(user=staff_user)
    assert [s.select_one("h1 + p strong").text for s in page.html.select(".slip")] == [first.number, second.number]
    assert django_app.get(
        reverse("dashboard:order-packing-slips") + "?number=nope", user=staff_user, status=404
    )
