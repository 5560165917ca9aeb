"""Sales tax > Rates in the dashboard: staff keep the rate table; every bad input is a form error
that keeps what was typed, and every change is kept in the table's history."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tax.models import LocalRate, RateChange, StateRate

pytestmark = pytest.mark.django_db

D = Decimal


def edit_page(app, user, state="NY"):
    return app.get(reverse("tax-dashboard:rate-edit", kwargs={"state": state}), user=user)


def errors_of(page):
    return [" ".join(e.get_text(" ").split()) for e in page.html.select(".error-block, .text-danger")]


def local_row(form, prefix):
    """The formset row index holding this ZIP prefix (an empty prefix: the first blank row)."""
    return next(i for i in range(10) if form.get(f"local-{i}-zip_prefix").value == prefix)


def test_the_rate_table_lists_the_demo_states(django_app, staff_user):
    page = django_app.get(reverse("tax-dashboard:rate-list"), user=staff_user)
    rows = {row["data-state"]: " ".join(row.get_text(" ").split()) for row in page.html.select("#state-rates tbody tr")}
    assert set(rows) == {"CA", "NY", "OR"}
    assert "8.875%" in rows["NY"] and "100 New York City" in rows["NY"] and "Taxed" in rows["NY"]
    assert "7.25%" in rows["CA"] and "Not taxed" in rows["CA"]
    assert "No" in rows["OR"]
    assert "The store collects in 2 states." in page.text
    dashboard = django_app.get(reverse("dashboard:index"), user=staff_user)
    assert reverse("tax-dashboard:rate-list") in dashboard.text and reverse("tax-dashboard:report") in dashboard.text


def test_staff_without_the_permission_cannot_open_the_rates(django_app, staff_without_permissions, seeded):
    response = django_app.get(reverse("tax-dashboard:rate-list"), user=staff_without_permissions, expect_errors=True)
    assert response.status_code in (302, 403)
    response = django_app.get(reverse("tax-dashboard:report"), user=staff_without_permissions, expect_errors=True)
    assert response.status_code in (302, 403)


def test_add_a_state_and_its_history(django_app, staff_user):
    form = django_app.get(reverse("tax-dashboard:rate-add"), user=staff_user).forms["state_rate_form"]
    form["state"] = "texas"
    form["rate"] = "6.25"
    form["collects"] = True
    form["local-0-zip_prefix"] = "787"
    form["local-0-name"] = "Austin"
    form["local-0-rate"] = "8.25"
    page = form.submit(user=staff_user).follow(user=staff_user)
    assert "Texas: saved." in page.text
    texas = StateRate.objects.get(state="TX")
    assert (texas.collects, texas.rate, texas.shipping_taxable) == (True, D("6.25"), False)
    assert [(x.zip_prefix, x.name, x.rate) for x in texas.local_rates.all()] == [("787", "Austin", D("8.25"))]
    change = RateChange.objects.get(state="TX")
    assert change.user == staff_user
    assert change.summary == "Added Texas: collects, 6.25%, shipping not taxed; added ZIP 787 Austin at 8.25%."
    assert change.summary in page.text


def test_change_a_rate_and_remove_a_zip_prefix(django_app, staff_user):
    form = edit_page(django_app, staff_user).forms["state_rate_form"]
    assert form["state"].value == "New York (NY)"
    assert form["rate"].value == "4"
    form["rate"] = "4.5"
    form[f"local-{local_row(form, '102')}-DELETE"] = True
    form[f"local-{local_row(form, '101')}-rate"] = "8.9"
    form.submit(user=staff_user).follow(user=staff_user)
    new_york = StateRate.objects.get(state="NY")
    assert new_york.rate == D("4.5")
    assert sorted(new_york.local_rates.values_list("zip_prefix", "rate")) == [("100", D("8.875")), ("101", D("8.9"))]
    summary = RateChange.objects.filter(state="NY").first().summary
    assert summary == (
        "New York: state rate 4% → 4.5%; ZIP 101 New York City at 8.875% → 8.9%; "
        "removed ZIP 102 New York City at 8.875%."
    )
    page = edit_page(django_app, staff_user)
    assert summary in page.html.select_one("#rate-changes").get_text()


@pytest.mark.parametrize(
    "field, typed, error",
    [
        ("rate", "-1", "A rate cannot be below 0%."),
        ("rate", "100.5", "A rate cannot be above 100%."),
        ("rate", "8.87512", "Use at most 4 decimals, e.g. 8.875."),
        ("rate", "eight", "Enter the rate as a number of percent, e.g. 8.875."),
        ("local-0-zip_prefix", "10A", "“10A” is not a ZIP prefix: use 1 to 5 digits, e.g. 100 or 10001."),
        ("local-0-zip_prefix", "100011", "“100011” is not a ZIP prefix: use 1 to 5 digits, e.g. 100 or 10001."),
        ("local-0-rate", "101", "A rate cannot be above 100%."),
    ],
)
def test_bad_input_is_a_form_error_that_keeps_what_was_typed(django_app, staff_user, field, typed, error):
    form = edit_page(django_app, staff_user).forms["state_rate_form"]
    form[field] = typed
    page = form.submit(user=staff_user, expect_errors=True)
    assert page.status_code == 400
    assert error in errors_of(page)
    assert page.forms["state_rate_form"][field].value == typed
    assert "Nothing was saved" in page.text
    assert StateRate.objects.get(state="NY").rate == D("4") and LocalRate.objects.count() == 3
    assert not RateChange.objects.filter(state="NY", user=staff_user).exists()


def test_two_rates_for_one_zip_prefix_are_refused(django_app, staff_user):
    form = edit_page(django_app, staff_user).forms["state_rate_form"]
    blank = local_row(form, "")
    form[f"local-{blank}-zip_prefix"] = "100"
    form[f"local-{blank}-rate"] = "9"
    page = form.submit(user=staff_user, expect_errors=True)
    assert page.status_code == 400
    assert "ZIP prefix 100 is listed twice: keep one rate for it." in errors_of(page)
    assert page.forms["state_rate_form"][f"local-{blank}-rate"].value == "9"
    assert LocalRate.objects.filter(zip_prefix="100").count() == 1


@pytest.mark.parametrize(
    "typed, error",
    [
        ("Narnia", "“Narnia” is not a US state, DC or territory. Type its two-letter code, e.g. NY."),
        ("ny", "New York already has a rate: edit it from the list instead."),
    ],
)
def test_a_state_that_does_not_exist_or_already_has_a_rate(django_app, staff_user, typed, error):
    form = django_app.get(reverse("tax-dashboard:rate-add"), user=staff_user).forms["state_rate_form"]
    form["state"] = typed
    form["rate"] = "5"
    page = form.submit(user=staff_user, expect_errors=True)
    assert page.status_code == 400
    assert error in errors_of(page)
    assert page.forms["state_rate_form"]["state"].value == typed
    assert StateRate.objects.count() == 3


def test_an_unknown_state_in_the_url_is_a_404(django_app, staff_user):
    response = django_app.get(
        reverse("tax-dashboard:rate-edit", kwargs={"state": "ZZ"}), user=staff_user, expect_errors=True
    )
    assert response.status_code == 404


def test_remove_a_state(django_app, staff_user):
    page = django_app.get(reverse("tax-dashboard:rate-delete", kwargs={"state": "CA"}), user=staff_user)
    form = next(f for f in page.forms.values() if f.action == "" or f.action.endswith("/delete/"))
    page = form.submit(user=staff_user).follow(user=staff_user)
    assert "California removed" in page.text
    assert not StateRate.objects.filter(state="CA").exists()
    change = RateChange.objects.filter(state="CA").first()
    assert change.summary == "Removed California from the rate table: no tax there."
