"""Staff see the list of subscribers in Oscar's dashboard, export it and unsubscribe people by hand."""

import csv
import io

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from newsletter.models import Subscriber
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
LIST = reverse("newsletter-dashboard:subscriber-list")
EXPORT = reverse("newsletter-dashboard:subscriber-export")


@pytest.fixture
def subscribers():
    return {
        "ann": SubscriberFactory(email="ann@example.com", status=Status.SUBSCRIBED, source="footer"),
        "bob": SubscriberFactory(email="bob@example.com", status=Status.SUBSCRIBED, source="article:psoas-release"),
        "cy": SubscriberFactory(email="cy@example.org", status=Status.PENDING, source="checkout"),
        "di": SubscriberFactory(email="=HYPERLINK(1)@example.com", status=Status.UNSUBSCRIBED, source="footer"),
    }


def emails_on(page):
    return [row.select("td")[0].text for row in page.html.select("#subscriber-table tbody tr") if row.select("td")[1:]]


def test_the_dashboard_menu_links_to_subscribers(django_app, staff_user):
    page = django_app.get(reverse("dashboard:index"), user=staff_user)
    link = page.html.find("a", href=LIST)
    assert link is not None and "Subscribers" in link.text


def test_staff_see_the_list_with_counts(django_app, staff_user, subscribers):
    page = django_app.get(LIST, user=staff_user)
    assert sorted(emails_on(page)) == sorted(s.email for s in subscribers.values())
    counts = {a["data-status"]: a.parent.strong.text for a in page.html.select("#subscriber-counts a")}
    assert counts == {"pending": "1", "subscribed": "2", "unsubscribed": "1"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "subscribed"}, {"ann@example.com", "bob@example.com"}),
        ({"source": "article"}, {"bob@example.com"}),
        ({"source": "article:psoas-release"}, {"bob@example.com"}),
        ({"source": "checkout"}, {"cy@example.org"}),
        ({"q": "EXAMPLE.ORG"}, {"cy@example.org"}),
        ({"q": "example.com", "status": "subscribed", "source": "footer"}, {"ann@example.com"}),
        ({"status": "nonsense"}, set()),
    ],
)
def test_staff_search_and_filter(django_app, staff_user, subscribers, query, expected):
    page = django_app.get(LIST, query, user=staff_user)
    assert set(emails_on(page)) == expected


def test_the_search_form_filters_and_the_export_link_keeps_the_filter(django_app, staff_user, subscribers):
    form = django_app.get(LIST, user=staff_user).forms["subscriber-search"]
    form["status"] = "pending"
    page = form.submit()
    assert emails_on(page) == ["cy@example.org"]
    export_link = page.html.select_one("#subscriber-export")["href"]
    assert export_link.startswith(EXPORT + "?") and "status=pending" in export_link


def read_csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_streams_the_filtered_list_as_csv(client, staff_user, subscribers):
    client.force_login(staff_user)
    with CaptureQueriesContext(connection) as before_reading:
        response = client.get(EXPORT, {"status": "subscribed"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="subscribers-')
    # The rows are read while the response streams, not while the view runs.
    assert not [q for q in before_reading.captured_queries if '"email", "newsletter_subscriber"."status"' in q["sql"]]
    rows = read_csv(response)
    assert rows[0][:4] == ["email", "status", "source", "consent_version"]
    assert sorted(row[0] for row in rows[1:]) == ["ann@example.com", "bob@example.com"]
    ann = next(row for row in rows if row[0] == "ann@example.com")
    assert ann[1:4] == ["subscribed", "footer", subscribers["ann"].consent_version]
    assert ann[4] == subscribers["ann"].consent_text and ann[6] == "203.0.113.5"


def test_export_defuses_spreadsheet_formulas(client, staff_user, subscribers):
    client.force_login(staff_user)
    rows = read_csv(client.get(EXPORT, {"status": "unsubscribed"}))
    assert rows[1][0] == "'=HYPERLINK(1)@example.com"


def test_export_of_many_rows_comes_in_batches(client, staff_user):
    Subscriber.objects.bulk_create(
        SubscriberFactory.build(email=f"r{n}@example.com", confirmation_key="") for n in range(2500)
    )
    client.force_login(staff_user)
    response = client.get(EXPORT)
    chunks = list(response.streaming_content)
    assert len(chunks) == 3  # 1000 + 1000 + 500 rows: never the whole list in one piece
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode())))
    assert len(rows) == 2501 and len({row[0] for row in rows[1:]}) == 2500


def test_staff_unsubscribe_someone_by_hand(django_app, staff_user, subscribers):
    page = django_app.get(LIST, {"status": "subscribed"}, user=staff_user)
    action = reverse("newsletter-dashboard:subscriber-unsubscribe", kwargs={"pk": subscribers["ann"].pk})
    form = next(f for f in page.forms.values() if f.action == action)
    done = form.submit().follow()
    assert "ann@example.com is unsubscribed" in done.text
    assert emails_on(done) == ["bob@example.com"]  # back on the filtered list
    subscribers["ann"].refresh_from_db()
    assert subscribers["ann"].status == Status.UNSUBSCRIBED and subscribers["ann"].unsubscribed_at


def test_unsubscribing_by_hand_needs_a_post(django_app, staff_user, subscribers):
    url = reverse("newsletter-dashboard:subscriber-unsubscribe", kwargs={"pk": subscribers["ann"].pk})
    django_app.get(url, user=staff_user, status=405)
    assert Subscriber.objects.get(pk=subscribers["ann"].pk).status == Status.SUBSCRIBED


@pytest.mark.parametrize("who", ["customer", "staff_without_permissions"])
def test_others_are_refused(django_app, subscribers, request, who):
    user = request.getfixturevalue(who)
    for url in (LIST, EXPORT):
        assert django_app.get(url, user=user, status=403).status_code == 403
    url = reverse("newsletter-dashboard:subscriber-unsubscribe", kwargs={"pk": subscribers["ann"].pk})
    django_app.post(url, user=user, status=403)
    assert Subscriber.objects.get(pk=subscribers["ann"].pk).status == Status.SUBSCRIBED


def test_the_menu_hides_subscribers_from_staff_without_the_permission(django_app, staff_without_permissions):
    page = django_app.get(reverse("dashboard:index"), user=staff_without_permissions, expect_errors=True)
    assert page.html.find("a", href=LIST) is None


def test_anonymous_visitors_are_sent_to_login(django_app):
    for url in (LIST, EXPORT):
        response = django_app.get(url)
        assert response.status_code == 302 and "login" in response.location
