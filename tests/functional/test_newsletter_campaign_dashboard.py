"""Staff write, preview, test, schedule and send campaigns in the dashboard; see suppressed
addresses and checkout reminders."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from content_pages.models import Article
from newsletter import sending
from newsletter.models import Campaign, CheckoutReminder, Suppression
from tests.fixtures.mail import html_part
from tests.fixtures.newsletter import make_subscribers

pytestmark = pytest.mark.django_db

LIST = reverse("newsletter-dashboard:campaign-list")


def detail(campaign):
    return reverse("newsletter-dashboard:campaign-detail", args=[campaign.pk])


def action(campaign, name):
    return reverse("newsletter-dashboard:campaign-action", args=[campaign.pk, name])


def post(app, url, user, page_url=LIST, **kwargs):
    """A POST with the CSRF token of a dashboard page, as a form on it would send."""
    token = app.get(page_url, user=user).html.find("input", {"name": "csrfmiddlewaretoken"})
    token = token["value"] if token else app.cookies.get("csrftoken", "")
    return app.post(url, {"csrfmiddlewaretoken": token}, user=user, **kwargs)


def test_the_menu_links_to_campaigns_suppressions_and_reminders(django_app, staff_user):
    page = django_app.get(reverse("dashboard:index"), user=staff_user)
    for name in ("campaign-list", "suppression-list", "reminder-list", "subscriber-list"):
        assert page.html.find("a", href=reverse(f"newsletter-dashboard:{name}")) is not None


def test_staff_without_permissions_cannot_open_or_send(django_app, staff_without_permissions, campaign):
    django_app.get(LIST, user=staff_without_permissions, status=403)
    refused = post(django_app, action(campaign, "send"), staff_without_permissions, reverse("dashboard:index"),
                   status=403)
    assert "CSRF" not in refused.text  # refused for want of permission, not for want of a token
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_write_a_campaign_with_cards_and_the_body_is_sanitised(django_app, staff_user, claw):
    article = Article.objects.published().first()
    page = django_app.get(reverse("newsletter-dashboard:campaign-create"), user=staff_user)
    form = page.forms["campaign_form"]
    form["subject"] = "October: release routines"
    form["preview_text"] = "Three new routines"
    form["body"] = '<p>Hello<script>alert("x")</script> <a href="/learn/" onclick="x()">read</a></p>'
    form["audience"] = "footer"
    form["article_links-0-article"] = article.pk
    form["product_links-0-product"] = claw.pk
    response = form.submit("save").follow()

    campaign = Campaign.objects.get()
    assert response.request.path == detail(campaign)
    assert campaign.subject == "October: release routines"
    assert "<script>" not in campaign.body and "onclick" not in campaign.body and "Hello" in campaign.body
    assert campaign.created_by == staff_user
    assert list(campaign.article_links.values_list("article", flat=True)) == [article.pk]
    assert list(campaign.product_links.values_list("product", flat=True)) == [claw.pk]


def test_preview_shows_the_email_in_frames_and_its_text(django_app, staff_user, campaign, claw):
    campaign.product_links.create(product=claw)
    page = django_app.get(reverse("newsletter-dashboard:campaign-preview", args=[campaign.pk]), user=staff_user)
    frame_src = reverse("newsletter-dashboard:campaign-preview-html", args=[campaign.pk])
    assert page.html.select_one("#preview-frame")["src"] == frame_src
    phone = django_app.get(reverse("newsletter-dashboard:campaign-preview", args=[campaign.pk]) + "?width=phone",
                           user=staff_user)
    assert "width:360px" in phone.html.select_one("#preview-frame")["style"]
    assert "frame-src 'self'" in page.headers["Content-Security-Policy"]
    assert "Release your QL tonight" in page.text
    assert "new routines" in page.html.select_one("#preview-text").text

    email = django_app.get(frame_src, user=staff_user)
    assert email.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in email.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in email.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert "QL Claw" in email.text and "utm_campaign=release-your-ql-tonight" in email.text
    assert mail.outbox == []  # a preview sends nothing


def test_test_send_goes_to_the_address_given(django_app, staff_user, campaign):
    make_subscribers(2)
    page = django_app.get(detail(campaign), user=staff_user)
    form = page.forms["test-send-form"]
    assert form["email"].value == staff_user.email
    form["email"] = "editor@example.com"
    page = form.submit().follow()

    [message] = mail.outbox
    assert message.to == ["editor@example.com"] and message.subject == "[Test] Release your QL tonight"
    assert "List-Unsubscribe" in message.extra_headers and html_part(message)
    assert "on its way to editor@example.com" in page.text
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT and not campaign.deliveries.exists()


def test_send_now_reaches_every_subscriber_and_shows_the_figures(
    django_app, staff_user, campaign, instant_sending, django_capture_on_commit_callbacks
):
    make_subscribers(3)
    page = django_app.get(detail(campaign), user=staff_user)
    assert "It goes to 3 subscribers" in page.text
    send_form = next(f for f in page.forms.values() if f.action == action(campaign, "send"))
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task, queued after the commit
        response = send_form.submit()
    page = response.follow()

    assert sorted(m.to[0] for m in mail.outbox) == [f"reader{n}@example.com" for n in range(3)]
    assert page.html.select_one("#campaign-status").text.strip() == "Sent"
    assert page.html.select_one('[data-figure="recipients"]').text == "3"
    assert page.html.select_one('[data-figure="sent"]').text == "3"
    # Once sent it cannot be edited or sent again.
    django_app.get(reverse("newsletter-dashboard:campaign-update", args=[campaign.pk]), user=staff_user).follow()
    page = post(django_app, action(campaign, "send"), staff_user, detail(campaign)).follow()
    assert "already been sent" in page.text
    assert len(mail.outbox) == 3


def test_a_campaign_without_subject_or_audience_cannot_be_sent(django_app, staff_user):
    campaign = Campaign.objects.create(subject="", body="<p>Hi</p>")
    page = django_app.get(detail(campaign), user=staff_user)
    problems = page.html.select_one("#campaign-problems").text
    assert "Write a subject" in problems and "Nobody would get it" in problems

    page = post(django_app, action(campaign, "send"), staff_user, detail(campaign)).follow()
    assert "Write a subject" in page.text and "Nobody would get it" in page.text
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert mail.outbox == []


def test_schedule_then_unschedule(django_app, staff_user, campaign):
    make_subscribers(1)
    when = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    page = django_app.get(detail(campaign), user=staff_user)
    form = page.forms["schedule-form"]
    form["send_at"] = when.strftime("%Y-%m-%dT%H:%M")
    page = form.submit().follow()

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SCHEDULED and campaign.scheduled_at == when
    assert "Scheduled for" in page.text

    post(django_app, action(campaign, "unschedule"), staff_user, detail(campaign)).follow()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_pause_resume_and_cancel_from_the_dashboard(django_app, staff_user, campaign, settings, monkeypatch):
    make_subscribers(4)
    monkeypatch.setattr(sending, "_queue_run", lambda campaign_id: None)  # no worker: the state is what counts
    sending.start(campaign.pk)

    page = post(django_app, action(campaign, "pause"), staff_user, detail(campaign)).follow()
    assert "Paused" in page.text
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PAUSED
    post(django_app, action(campaign, "resume"), staff_user, detail(campaign)).follow()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING
    post(django_app, action(campaign, "cancel"), staff_user, detail(campaign)).follow()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CANCELED
    post(django_app, action(campaign, "bogus"), staff_user, detail(campaign), status=404)


def test_suppressed_addresses_are_listed_added_and_lifted(django_app, staff_user):
    Suppression.objects.create(email="gone@example.com", reason=Suppression.Reason.BOUNCE, detail="550 no such user")
    page = django_app.get(reverse("newsletter-dashboard:suppression-list"), user=staff_user)
    assert "gone@example.com" in page.text and "Hard bounce" in page.text and "550 no such user" in page.text

    form = next(f for f in page.forms.values() if "email" in f.fields and f.method == "post")
    form["email"] = "Noisy@Example.com"
    page = form.submit().follow()
    assert Suppression.objects.for_email("noisy@example.com").get().reason == Suppression.Reason.MANUAL

    gone = Suppression.objects.get(email="gone@example.com")
    lift = next(f for f in page.forms.values() if f.action == reverse("newsletter-dashboard:suppression-delete",
                                                                      args=[gone.pk]))
    lift.submit().follow()
    assert not Suppression.objects.filter(email="gone@example.com").exists()


def test_the_subscriber_list_marks_suppressed_addresses(django_app, staff_user):
    make_subscribers(2)
    Suppression.objects.create(email="reader1@example.com", reason=Suppression.Reason.COMPLAINT)
    page = django_app.get(reverse("newsletter-dashboard:subscriber-list"), user=staff_user)
    rows = {r.select("td")[0].text: r.select("td")[1].text for r in page.html.select("#subscriber-table tbody tr")}
    assert "Suppressed" in rows["reader1@example.com"] and "Suppressed" not in rows["reader0@example.com"]


def test_reminders_page_shows_sent_and_recovered(django_app, staff_user, claw, fake_stripe):
    from tests.checkout_helpers import start_payment_for

    payment = start_payment_for(claw, 1, email="ann@example.com")
    CheckoutReminder.objects.create(basket_id=payment.basket_id, payment=payment, email="ann@example.com")
    page = django_app.get(reverse("newsletter-dashboard:reminder-list"), user=staff_user)

    assert page.html.select_one('[data-total="sent"]').text == "1"
    assert page.html.select_one('[data-total="recovered"]').text == "0"
    assert "ann@example.com" in page.html.select_one("#reminder-table").text
