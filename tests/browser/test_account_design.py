"""Sign in, register, password reset and the account pages in a real browser, at a computer's
and a phone's width: no serious or critical axe violation, every tap target at least 24 x 24 CSS
px (WCAG 2.2, 2.5.8), nothing wider than a 360 px screen, and the account menu working without
Bootstrap's JavaScript."""

import pytest
from playwright.sync_api import expect

from .support import axe_violations, no_horizontal_overflow

pytestmark = pytest.mark.browser

PASSWORD = "claw-pass-12345"

# WCAG 2.5.8 (target size, minimum): a target is at least 24 x 24 CSS px, or a 24 px circle on
# its centre touches no other target, or it is a link inside a sentence. Elements of 1 px or
# less are screen-reader-only text or honeypots, not targets.
SMALL_TARGETS = """
() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const targets = [...document.querySelectorAll(selector)].filter(visible);
  const rects = targets.map((el) => el.getBoundingClientRect());
  const inSentence = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const block = el.parentElement.closest('p, li, dd, td, span, small, label');
    if (!block) return false;
    return block.textContent.replace(el.textContent, '').trim().length > 0;
  };
  const spaced = (i) => {
    const r = rects[i];
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    return rects.every((o, j) => {
      if (j === i) return true;
      const dx = Math.max(o.left - cx, 0, cx - o.right);
      const dy = Math.max(o.top - cy, 0, cy - o.bottom);
      return Math.hypot(dx, dy) >= 12;
    });
  };
  return targets
    .map((el, i) => ({el, i, r: rects[i]}))
    .filter(({el, i, r}) => (r.width < 24 || r.height < 24) && !inSentence(el) && !spaced(i))
    .map(({el, r}) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')} `
                      + `"${(el.textContent || el.value || '').trim().slice(0, 30)}" `
                      + `${Math.round(r.width)}x${Math.round(r.height)}`);
}
"""


def small_targets(page):
    return page.evaluate(SMALL_TARGETS)


@pytest.fixture
def shopper(store, django_user_model):
    """A signed-up customer with an address, a wish list and an order (after seed_demo ran)."""
    from oscar.core.loading import get_model

    from tests.factories import order_for

    Product = get_model("catalogue", "Product")
    UserAddress = get_model("address", "UserAddress")
    Country = get_model("address", "Country")
    WishList = get_model("wishlists", "WishList")
    user = django_user_model.objects.create_user(
        username="sam", email="sam@example.com", password=PASSWORD, first_name="Sam", last_name="Rivera"
    )
    UserAddress.objects.create(
        user=user,
        first_name="Sam",
        last_name="Rivera",
        line1="120 Market Street",
        line4="San Francisco",
        state="CA",
        postcode="94105",
        country=Country.objects.get(iso_3166_1_a2="US"),
        is_default_for_shipping=True,
    )
    claw = Product.objects.get(upc="QLC-CLAW-01")
    WishList.objects.create(owner=user, name="Gifts for Dad").add(claw)
    order_for(claw, user=user)
    return user


def sign_in(page, email="sam@example.com", password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("#id_login-username", email)
    page.fill("#id_login-password", password)
    page.click("button[name=login_submit]")
    expect(page.locator(".account-menu summary")).to_be_attached()


def check_page(page, path, width):
    response = page.goto(path)
    assert response.status == 200, (path, response.status)
    problems = {}
    violations = axe_violations(page)
    if violations:
        problems["axe"] = violations
    small = small_targets(page)
    if small:
        problems["small targets"] = small
    if width <= 360 and not no_horizontal_overflow(page):
        problems["overflow"] = page.evaluate("document.documentElement.scrollWidth")
    return problems


@pytest.mark.parametrize("width", [1280, 360])
def test_sign_in_register_and_reset_pages(new_page, store, width):
    page = new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    found = {}
    for path in ("/accounts/login/", "/accounts/register/", "/password-reset/", "/password-reset/done/"):
        problems = check_page(page, path, width)
        if problems:
            found[path] = problems
    assert found == {}
    assert page.console_errors == []


@pytest.mark.parametrize("width", [1280, 360])
def test_account_pages(new_page, shopper, width):
    page = new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    sign_in(page)
    wishlist = shopper.wishlists.get()
    found = {}
    paths = (
        "/accounts/profile/",
        "/accounts/orders/",
        "/accounts/addresses/",
        "/accounts/wishlists/",
        wishlist.get_absolute_url(),
        "/accounts/change-password/",
        "/accounts/notifications/inbox/",
    )
    for path in paths:
        problems = check_page(page, path, width)
        if problems:
            found[path] = problems
    assert found == {}
    assert page.console_errors == []


def test_account_menu_opens_and_closes_without_bootstrap(new_page, shopper):
    page = new_page()
    sign_in(page)
    page.goto("/")
    menu = page.locator(".account-menu__details")
    orders = menu.get_by_role("link", name="Orders")
    expect(orders).to_be_hidden()
    menu.locator("summary").click()
    expect(orders).to_be_visible()
    page.keyboard.press("Escape")
    expect(orders).to_be_hidden()
    expect(menu.locator("summary")).to_be_focused()
    menu.locator("summary").click()
    page.locator("main").click(position={"x": 5, "y": 5})
    expect(orders).to_be_hidden()
    menu.locator("summary").click()
    orders.click()
    expect(page).to_have_url(f"{page.url.split('/accounts')[0]}/accounts/orders/")
    expect(page.locator("h1")).to_have_text("Your orders")


def test_phone_menu_reaches_the_account_pages(new_page, shopper):
    page = new_page(viewport={"width": 360, "height": 800})
    sign_in(page)
    page.goto("/")
    page.get_by_role("button", name="Menu").click()
    page.locator(".account-menu summary").click()
    page.locator(".account-menu").get_by_role("link", name="Wish lists").click()
    expect(page.locator("h1")).to_have_text("Your wish lists")
    # The account's own menu wraps above the page on a phone: every entry on screen, no script.
    for name in ("Overview", "Orders", "Addresses", "Wish lists"):
        link = page.locator("nav.account-nav").get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["height"] >= 24
