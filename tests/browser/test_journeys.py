"""What a person does in the store, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from .support import claw_url, no_horizontal_overflow

pytestmark = pytest.mark.browser
ARTICLE = "/learn/psoas-trigger-points/"


def test_shopper_reads_plays_a_video_and_buys_from_the_article(page):
    page.goto("/")
    expect(page.locator(".hero h1")).to_have_text("QL Claw")
    page.get_by_role("link", name="Learn", exact=True).click()
    page.get_by_role("link", name="Psoas trigger points: anatomy, pain pattern and relief").click()
    expect(page).to_have_url(re.compile(ARTICLE))
    assert page.network.external == []  # nothing fetched from a video host (or anywhere) yet
    assert page.locator("iframe").count() == 0

    page.get_by_role("link", name="Play video: How to release the psoas").first.click()
    frame = page.locator("iframe.video-frame")
    expect(frame).to_have_count(1)
    assert frame.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/Qlc1Psoas01")
    page.wait_for_timeout(200)
    assert all("youtube-nocookie.com" in url for url in page.network.external), page.network.external

    buy_box = page.locator(".buy-box").first
    expect(buy_box).to_contain_text("$49.99")
    buy_box.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(ARTICLE))
    expect(page.locator(".alert-success").first).to_contain_text("QL Claw")
    expect(page.locator(".basket-badge")).to_have_attribute("data-basket-count", "1")

    page.get_by_role("link", name=re.compile("Cart")).first.click()
    expect(page.locator("#content_inner")).to_contain_text("QL Claw")
    expect(page.locator("#content_inner")).to_contain_text("$49.99")
    assert page.console_errors == []


def test_phone_menu_article_and_basket_fit_a_360px_screen(new_page):
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto("/")
    assert no_horizontal_overflow(page)
    nav = page.locator("#site-nav")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(nav).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")
    nav.get_by_role("link", name="Learn", exact=True).click()
    page.locator(".article-card__link").first.click()
    assert no_horizontal_overflow(page)
    page.locator(".buy-box").first.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".basket-badge")).to_have_attribute("data-basket-count", "1")
    page.goto("/basket/")
    assert no_horizontal_overflow(page)
    expect(page.locator("#content_inner")).to_contain_text("QL Claw")
    assert page.console_errors == []


def test_product_page_gallery_and_add_to_basket(new_page):
    url = claw_url()
    for width in (1280, 360):
        page = new_page(viewport={"width": width, "height": 800})
        page.goto(url)
        expect(page.locator("h1")).to_have_text("QL Claw")
        assert no_horizontal_overflow(page)
        slides = page.locator("#product_gallery .gallery__slide")
        thumbs = page.locator("#product_gallery .gallery__thumb")
        expect(slides.nth(0)).to_be_visible()
        expect(slides.nth(1)).to_be_hidden()
        thumbs.nth(1).click()
        expect(slides.nth(1)).to_be_visible()
        expect(slides.nth(1).locator("img")).to_have_js_property("complete", True)
        expect(slides.nth(0)).to_be_hidden()
        expect(thumbs.nth(1)).to_have_attribute("aria-pressed", "true")
        page.keyboard.press("ArrowRight")  # the focused thumbnail's neighbour, from the keyboard
        expect(slides.nth(2)).to_be_visible()
        expect(thumbs.nth(2)).to_be_focused()
        page.keyboard.press("Home")
        expect(slides.nth(0)).to_be_visible()

        expect(page.locator("#reviews")).to_be_visible()
        page.locator("#add_to_basket_form").get_by_role("button", name="Add to cart").click()
        expect(page).to_have_url(re.compile(url))
        expect(page.locator(".alert-success").first).to_contain_text("QL Claw")
        expect(page.locator(".basket-badge")).to_have_attribute("data-basket-count", "1")
        # The URL is the same before and after: wait for the stylesheets (the layout) and store.js.
        page.wait_for_load_state("load")
        assert no_horizontal_overflow(page)
        page.locator(".alert .close").first.click()
        expect(page.locator(".alert-success")).to_have_count(0)
        assert page.console_errors == []


def test_keyboard_only_shopper_reaches_the_basket(page):
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    # Tab through the page until the hero's Add to cart button has focus, then press it.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Add to cart":
            break
    else:
        pytest.fail("the Add to cart button cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".basket-badge")).to_have_attribute("data-basket-count", "1")


def test_article_page_weighs_under_250_kb_before_a_video_is_played(page):
    sizes = {}

    def on_response(response):
        request = response.request
        sizes[request.url] = request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]

    page.on("requestfinished", lambda request: on_response(request.response()))
    page.goto(ARTICLE, wait_until="networkidle")
    total = sum(sizes.values())
    print(f"article page: {len(sizes)} requests, {total / 1024:.0f} KB transferred")
    assert total <= 250 * 1024, sorted(sizes.items(), key=lambda kv: -kv[1])[:8]
    assert page.network.external == []


def test_xss_in_an_article_body_never_runs(page):
    from content_pages.models import Article

    Article.objects.create(
        title="Hostile",
        slug="hostile",
        summary="x",
        status=Article.Status.PUBLISHED,
        body='<p>ok</p><script>alert("script")</script><img src=x onerror="alert(\'img\')">'
        '<a href="javascript:alert(\'link\')">click me</a><svg onload="alert(\'svg\')"></svg>',
    )
    page.goto("/learn/hostile/")
    link = page.get_by_role("link", name="click me")
    if link.count():
        link.click()
    page.wait_for_timeout(300)
    assert page.dialogs == []
