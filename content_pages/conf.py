"""The settings content_pages reads, each with its default. The app reads no other setting.

CONTENT_PAGES_PRODUCT_MODEL ("catalogue.Product", django-oscar's)
    The model articles and videos link to, as "app_label.Model". Any model with a ``title`` and
    ``get_absolute_url()`` will do: the app's own buy box is a link to the product; a shop
    overrides content_pages/includes/buy_box.html to show price and stock. Choose it before the
    first migrate: as with AUTH_USER_MODEL, changing it later needs a migration of your own
    that moves the existing links.
CONTENT_PAGES_PRODUCT_SELECT_RELATED, CONTENT_PAGES_PRODUCT_PREFETCH_RELATED ([], [])
    What the buy box reads of each product besides its own row, relative to the product
    (e.g. ["stockrecords"]), so an article's query count does not grow with its products.
CONTENT_PAGES_PUBLISHER ("")
    The organisation named as publisher in the articles' schema.org data.
CONTENT_PAGES_VIDEO_SHOWN (None)
    Dotted path of a function(request) called whenever a page renders a tutorial video. The
    player is framed from video.PLAYER_ORIGINS once the visitor presses play, so a project
    with a Content-Security-Policy uses this to allow those frames on exactly these pages.
"""

from django.conf import settings

DEFAULTS = {
    "PRODUCT_MODEL": "catalogue.Product",
    "PRODUCT_SELECT_RELATED": [],
    "PRODUCT_PREFETCH_RELATED": [],
    "PUBLISHER": "",
    "VIDEO_SHOWN": None,
}


def get(name):
    return getattr(settings, f"CONTENT_PAGES_{name}", DEFAULTS[name])


# Read once, at import: the models and the migration are built from it.
PRODUCT_MODEL = get("PRODUCT_MODEL")
