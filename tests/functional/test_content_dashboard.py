"""Staff write, preview, publish and link articles and videos from Oscar's dashboard."""

import pytest
from django.urls import reverse

from content_pages.models import Article, TutorialVideo, VideoPlacement

pytestmark = pytest.mark.django_db

ARTICLES = reverse("content_pages_dashboard:content-article-list")
NEW_ARTICLE = reverse("content_pages_dashboard:content-article-create")
NEW_VIDEO = reverse("content_pages_dashboard:content-video-create")


def test_dashboard_menu_has_the_content_section(django_app, staff_user):
    page = django_app.get(reverse("dashboard:index"), user=staff_user)
    assert page.html.select_one(f'a[href="{ARTICLES}"]')
    assert page.html.select_one(f'a[href="{reverse("content_pages_dashboard:content-video-list")}"]')


def test_staff_write_preview_and_publish_an_article_linked_to_the_product(django_app, staff_user, claw):
    form = django_app.get(NEW_ARTICLE, user=staff_user).forms["article_form"]
    form["title"] = "Sitting and your hip flexors"
    form["summary"] = "Why chairs shorten the psoas."
    form["body"] = "<h2>Chairs</h2><p>Hours in a chair [1, p. 3].</p><script>alert(1)</script>"
    form["status"] = "draft"
    form["citations-0-authors"] = "Doe, Jane"
    form["citations-0-title"] = "Sitting Less"
    form["citations-0-year"] = "2021"
    form["product_links-0-product"] = str(claw.pk)
    form["product_links-0-cta_text"] = "Try it"
    preview = form.submit("preview").follow()
    article = Article.objects.get(slug="sitting-and-your-hip-flexors")
    assert article.status == "draft" and "<script>" not in article.body
    assert preview.request.path == article.get_absolute_url()
    assert preview.html.select_one(".draft-banner")
    assert preview.html.select_one('a.citation[href="#ref-1"]').text == "[1, p. 3]"
    django_app.reset()  # forget the staff session: now as the public
    assert django_app.get(article.get_absolute_url(), expect_errors=True).status_code == 404

    listing = django_app.get(ARTICLES, user=staff_user)
    publish = next(f for f in listing.forms.values() if f.action.endswith(f"/{article.pk}/publish/"))
    publish.submit().follow()
    article.refresh_from_db()
    assert article.is_live
    django_app.reset()
    public = django_app.get(article.get_absolute_url())
    assert not public.html.select_one(".draft-banner")
    assert "$49.99" in public.html.select_one(f"#buy-{claw.pk}").text
    assert article.title in django_app.get(claw.get_absolute_url()).html.select_one(".learn-section").text


def test_duplicate_slug_is_a_form_error_that_keeps_what_was_typed(django_app, staff_user, seeded):
    form = django_app.get(NEW_ARTICLE, user=staff_user).forms["article_form"]
    form["title"] = "Another take"
    form["slug"] = "psoas-trigger-points"
    form["summary"] = "My carefully typed summary"
    form["body"] = "<p>Long body I do not want to lose</p>"
    form["citations-0-authors"] = "Kept, Author"
    form["citations-0-title"] = "Kept title"
    response = form.submit()
    assert response.status_code == 200
    assert "already exists" in response.text
    again = response.forms["article_form"]
    assert again["summary"].value == "My carefully typed summary"
    assert "Long body I do not want to lose" in again["body"].value
    assert again["citations-0-authors"].value == "Kept, Author"
    assert Article.objects.filter(slug="psoas-trigger-points").count() == 1


def test_bad_video_url_is_a_form_error_that_keeps_what_was_typed(django_app, staff_user, seeded):
    form = django_app.get(NEW_VIDEO, user=staff_user).forms["video_form"]
    form["title"] = "My new video"
    form["url"] = "https://evil.example.com/watch?v=dQw4w9WgXcQ"
    form["description"] = "Typed transcript"
    response = form.submit()
    assert response.status_code == 200
    assert "Only YouTube and Vimeo videos can be embedded." in response.text
    assert response.forms["video_form"]["description"].value == "Typed transcript"
    assert not TutorialVideo.objects.filter(title="My new video").exists()


def test_staff_add_a_video_normalised_and_placed_on_checkout_pages(django_app, staff_user, seeded):
    form = django_app.get(NEW_VIDEO, user=staff_user).forms["video_form"]
    form["title"] = "Unboxing"
    form["url"] = "https://www.youtube.com/embed/dQw4w9WgXcQ?start=5"
    form["duration"] = "00:01:30"
    form["placements"] = ["payment", "basket"]
    form.submit().follow()
    video = TutorialVideo.objects.get(title="Unboxing")
    assert (video.provider, video.video_id, video.url) == (
        "youtube",
        "dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )
    assert set(VideoPlacement.objects.filter(video=video).values_list("placement", flat=True)) == {"payment", "basket"}


def test_a_customer_cannot_reach_the_content_dashboard(django_app, customer, seeded):
    for url in (ARTICLES, NEW_ARTICLE, NEW_VIDEO):
        response = django_app.get(url, user=customer, expect_errors=True)
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert "login" in response.location


def test_staff_without_content_permission_cannot_publish(client, django_user_model, staff_user):
    # Django's test client skips CSRF checks, so a 403 here can only come from the permission check.
    clerk = django_user_model.objects.create_user(
        username="clerk", email="c@x.com", password="pw-12345678", is_staff=True
    )
    article = Article.objects.get(slug="psoas-trigger-points")
    url = reverse("content_pages_dashboard:content-article-publish", args=[article.pk])
    client.force_login(clerk)
    assert client.post(url).status_code == 403
    article.refresh_from_db()
    assert article.is_live
    client.force_login(staff_user)  # the store staff group may: the article goes back to draft
    assert client.post(url).status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
