"""Settings shared by every profile. Values that differ per machine come from the environment."""

from pathlib import Path
from urllib.parse import urlsplit

import csp.constants as csp
import environ
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy
from oscar.defaults import *  # noqa: F403  (Oscar's documented way to load its defaults)
from oscar.defaults import OSCAR_DASHBOARD_NAVIGATION

from fulfilment import statuses as _statuses

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A developer may keep local overrides in .env; it is git-ignored and never required.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
# The store's public address: scheme and host (and port), no path. The Site's domain (setup_store)
# and every absolute link in an email (shop.links.absolute_url) come from it, never from a
# request's Host header. Production requires it, with https.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
_site_url = urlsplit(SITE_URL)
if _site_url.scheme not in ("http", "https") or not _site_url.hostname or _site_url.path or _site_url.query:
    raise ImproperlyConfigured(f"SITE_URL must be a scheme and a host, e.g. https://shop.example.com, not {SITE_URL!r}")

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

if env("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "shop.cache.StoreRedisCache",
            "LOCATION": env("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Email leaves the request (shop/mail.py): EMAIL_BACKEND queues each message after the commit and
# the huey worker delivers it through EMAIL_DELIVERY_BACKEND, EMAIL_URL's backend (console, SMTP).
EMAIL_DELIVERY_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_BACKEND = "shop.mail.QueuedEmailBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)  # seconds; a hung SMTP server must not hold a worker
EMAIL_DELIVERY_RETRIES = 5
EMAIL_DELIVERY_RETRY_DELAY = 60  # seconds
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="QL Claw <hello@qlclaw.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STORE_STAFF_EMAILS = env.list("STORE_STAFF_EMAILS", default=["orders@qlclaw.example"])
# The email provider (django-anymail, Mailgun; docs/newsletter.md): with an API key the worker
# delivers through it instead of EMAIL_URL, and its tracking webhook (newsletter/webhooks.py),
# authenticated by WEBHOOK_SECRET basic auth and Mailgun's signature, reports bounces and complaints.
ANYMAIL = {
    "MAILGUN_API_KEY": env("MAILGUN_API_KEY", default=""),
    "MAILGUN_SENDER_DOMAIN": env("MAILGUN_SENDER_DOMAIN", default=""),
    "MAILGUN_API_URL": env("MAILGUN_API_URL", default="https://api.mailgun.net/v3"),  # EU: api.eu.mailgun.net
    "MAILGUN_WEBHOOK_SIGNING_KEY": env("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
    "WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", default=""),  # "user:password"
}
if ANYMAIL["MAILGUN_API_KEY"]:
    EMAIL_DELIVERY_BACKEND = "anymail.backends.mailgun.EmailBackend"

# The task queue (huey). Here: a SQLite file, worked by the consumer `make run` starts beside
# runserver, so development needs no extra service. Production: Redis (production.py).
HUEY = {
    "huey_class": "huey.SqliteHuey",
    "name": "qlclaw",
    "filename": str(VAR_DIR / "huey.sqlite3"),
    "immediate": False,  # djhuey's default follows DEBUG, which would send in the request again
    "results": False,  # nothing reads task results; do not keep them
    "consumer": {"workers": 2, "worker_type": "thread", "max_delay": 2.0, "graceful_signal": "TERM",
                 "shutdown_timeout": EMAIL_TIMEOUT + 10},
}

# Stripe (wired by the checkout). Empty in dev means demo payments.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
# Empty: Stripe offers the payment methods enabled in its Dashboard (automatic_payment_methods).
# Naming them (e.g. "card") is for tests against localstripe, which only knows payment_method_types.
STRIPE_PAYMENT_METHOD_TYPES = env.list("STRIPE_PAYMENT_METHOD_TYPES", default=[])
STRIPE_WEBHOOK_TOLERANCE = 300  # seconds: older signed events are refused as replays
# A Stripe that never answers must not outlast the app server's worker timeout (30 s): each call
# costs at most (1 + retries) x (connect + read) seconds plus about 1 s of back-off, 17 s here.
STRIPE_CONNECT_TIMEOUT = env.float("STRIPE_CONNECT_TIMEOUT", default=2.0)
STRIPE_READ_TIMEOUT = env.float("STRIPE_READ_TIMEOUT", default=6.0)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=1)
# The reconciliation sweep (checkout/sweep.py) takes payments left pending or refunding for longer
# than these many seconds, asks Stripe how they stand and finishes them.
PAYMENT_SWEEP_PENDING_AFTER = env.int("PAYMENT_SWEEP_PENDING_AFTER", default=15 * 60)
PAYMENT_SWEEP_REFUNDING_AFTER = env.int("PAYMENT_SWEEP_REFUNDING_AFTER", default=2 * 60)
# An unpaid PaymentIntent untouched this long is canceled at Stripe and its basket given back.
PAYMENT_SWEEP_ABANDONED_AFTER = env.int("PAYMENT_SWEEP_ABANDONED_AFTER", default=2 * 24 * 3600)

# What decides sales tax (docs/tax.md): the rate table staff keep in the dashboard, offline, by
# default; a tax service (Stripe Tax, ...) is another class with the same calculate().
TAX_BACKEND = env("TAX_BACKEND", default="tax.backends.RateTable")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "shop.config.ShopConfig",
    "content_pages",
    "article_comments",
    "article_comments.dashboard.apps.CommentsDashboardConfig",
    # After placement: statuses, shipping, stock, customer emails (before the checkout, whose
    # dashboard order page it extends in turn).
    "fulfilment.apps.FulfilmentConfig",
    # Oscar's checkout, forked, with the payment (before Oscar, whose templates it overrides).
    "checkout.apps.CheckoutConfig",
    "checkout.dashboard.apps.PaymentsDashboardConfig",
    # US sales tax: rates, the one module that decides it, the report (before Oscar, whose order
    # confirmation email it extends with the tax line).
    "tax.apps.TaxConfig",
    "tax.dashboard.apps.TaxDashboardConfig",
    "content_pages.dashboard.apps.ContentDashboardConfig",
    "newsletter",
    "newsletter.dashboard.apps.NewsletterDashboardConfig",
    "product_reviews",  # verified buyers and the review request email (before Oscar: its templates)
    # Shipping, returns, FAQ, about and contact pages, and the store's terms as data (support/policy.py).
    "support.apps.SupportConfig",
    "support.dashboard.apps.SupportDashboardConfig",
    # Oscar's catalogue, forked, with the product page (before Oscar, whose templates it overrides).
    "catalogue.apps.CatalogueConfig",
    "oscar.config.Shop",
    "shop.analytics.AnalyticsConfig",  # Oscar's analytics, counting in a savepoint (no 500 on a race)
    "shop.apps.address.apps.AddressConfig",  # the address book uses the checkout's US address form
    "shop.apps.shipping.apps.ShippingConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "shop.apps.partner.apps.PartnerConfig",
    "checkout.cart_app.CartConfig",  # Oscar's basket app with the store's cart page (checkout/cart.py)
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "oscar.apps.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    # Oscar's search, forked: products, articles and videos from the database, and the catalogue's lists.
    "search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "oscar.apps.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "fulfilment.dashboard.apps.OrdersDashboardConfig",  # Oscar's order pages, with shipping and statuses
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "shop.apps.shipping.dashboard.apps.ShippingDashboardConfig",  # the methods checkout offers
    "widget_tweaks",
    "treebeard",
    "sorl.thumbnail",
    "django_tables2",
    "huey.contrib.djhuey",
    "anymail",
]

SITE_ID = 1

# How many proxies (TLS terminator, load balancer) stand in front of the app and append to
# X-Forwarded-For; the rate limits count per client address (shop.security.ClientAddressMiddleware).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

MIDDLEWARE = [
    "shop.security.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A fresh cached page for an anonymous shopper skips what it does not need (shop/pagecache.py);
    # after WhiteNoise, so that static files never wait on it.
    "shop.pagecache.PageCacheFrontDoor",
    # Pages are compressed here; static files come pre-compressed from WhiteNoise. Django's
    # GZip middleware pads responses against BREACH-style attacks on tokens in the page.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shop.security.StoreCSPMiddleware",
    "shop.security.PermissionsPolicyMiddleware",
    "shop.ratelimits.RateLimitMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    # The basket page gives back a basket frozen for an unfinished payment (after Oscar's, which loads baskets).
    "checkout.middleware.ReturnFrozenBasketMiddleware",
    # Last, so a cached page still passes through everything above (see shop/pagecache.py).
    "shop.pagecache.AnonymousPageCacheMiddleware",
]

# Whole pages cached for anonymous shoppers with no basket (shop/pagecache.py, docs/page-cache.md),
# and the cart page per basket. Never checkout, account or dashboard views.
PAGE_CACHE_TIMEOUT = env.int("PAGE_CACHE_TIMEOUT", default=300)  # seconds an entry is fresh at most
# A stale entry is served (X-Page-Cache: stale) for this long after the change while one worker,
# holding a lock for at most PAGE_CACHE_LOCK_SECONDS, renders it again; never after a change of a
# tag starting with one of PAGE_CACHE_STRICT_TAGS (prices and products, site-wide charges and offers,
# a basket, the vouchers and offer usage).
PAGE_CACHE_STALE_SECONDS = env.int("PAGE_CACHE_STALE_SECONDS", default=15)
PAGE_CACHE_LOCK_SECONDS = 10
# An order's stock message is published just after its stock tag is bumped (shop/livestock.py). For
# this long after the bump, a product page hit shows the newest message published (at most this
# many seconds behind) instead of making every worker re-render the page in that gap.
PAGE_CACHE_LIVE_GRACE_SECONDS = env.float("PAGE_CACHE_LIVE_GRACE_SECONDS", default=2.0)
# A fresh hit skips the middleware an anonymous page does not need (PageCacheFrontDoor); false sends
# every request down the whole stack.
PAGE_CACHE_FRONT_DOOR = env.bool("PAGE_CACHE_FRONT_DOOR", default=True)
PAGE_CACHE_STRICT_TAGS = ["product:", "site", "basket:", "vouchers", "offer-usage"]
# Seconds the servers' clocks may differ by: a page is stored only if its tags last changed this long
# before its render began.
PAGE_CACHE_CLOCK_SKEW = env.float("PAGE_CACHE_CLOCK_SKEW", default=1.0)
PAGE_CACHE_VIEWS = [
    "home",
    "catalogue:index",
    "catalogue:category",
    "catalogue:detail",
    "content_pages:article-list",
    "content_pages:article-detail",
    "content_pages:tutorial-list",
    "support:shipping",
    "support:returns",
    "support:faq",
    "support:about",
    # The cart of an anonymous shopper with no session, per basket (the basket cookie is in the key).
    "basket:summary",
]
# Saving or deleting a row of these apps makes the cached pages that show it stale (shop/pagedeps.py:
# products, stock, reviews, articles, comments each by their own tags; any other model, e.g. shipping
# charges, offers, flat pages, by the tag "site", which every page depends on; baskets and vouchers
# by their own, which only the cart page shows).
PAGE_CACHE_APPS = [
    "catalogue", "partner", "reviews", "shipping", "offer", "content_pages", "article_comments", "flatpages",
    "support", "basket", "voucher",
]
# A view added to PAGE_CACHE_VIEWS depends on every list unless PAGE_CACHE_VIEW_TAGS names the
# lists it shows ({"view:name": ["list:catalogue"]}; shop/pagecache.py VIEW_TAGS has the store's own).
# Hidden form fields whose value is made fresh on every hit: {input name: function(old value)}.
PAGE_CACHE_FRESH_FIELDS = {"ts": "article_comments.tokens.refresh_form_token"}
# Rendered fragments ({% fragment %}, shop/fragments.py): the markup that is the same for every
# shopper, cached by the same tags; an entry's lifetime in seconds, 0 turns them off.
FRAGMENT_CACHE_TIMEOUT = env.int("FRAGMENT_CACHE_TIMEOUT", default=300)

# Content-Security-Policy (django-csp 4): the storefront's policy. shop.security widens it only on
# the pages that need Stripe, the video players or Oscar's dashboard handlers.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.NONE],
        "script-src": [csp.SELF, csp.NONCE],
        # Inline style attributes (Oscar's basket, TinyMCE) are allowed; inline scripts are not.
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:", *env.list("CSP_MEDIA_HOSTS", default=[])],
        "font-src": [csp.SELF, "data:"],
        "connect-src": [csp.SELF],
        "manifest-src": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "base-uri": [csp.NONE],
        "object-src": [csp.NONE],
    }
}
# Features no page uses are switched off; payment stays with Stripe's frames, video with the players.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "usb": [],
    "payment": ["self", '"https://js.stripe.com"'],
    "fullscreen": ["self", '"https://www.youtube-nocookie.com"', '"https://player.vimeo.com"'],
}

# Sign-in and add-to-basket POSTs (shop/ratelimits.py), per IP and, for sign-in, per account.
STORE_LOGIN_RATE = env("STORE_LOGIN_RATE", default="10/m")
STORE_BASKET_ADD_RATE = env("STORE_BASKET_ADD_RATE", default="60/m")
STORE_SEARCH_RATE = env("STORE_SEARCH_RATE", default="60/m")  # searches per IP (search/views.py)
# With the cache down nothing can be counted: add-to-basket, comments and the newsletter go on
# (django-ratelimit fails open), sign-in pauses (shop/ratelimits.py, docs/deploy.md).
RATELIMIT_FAIL_OPEN = True

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # shop/templates overrides Oscar's templates because the "shop" app is installed before
        # Oscar's apps. Listing it in DIRS as well would make a same-name {% extends %} (shop's
        # oscar/catalogue/detail.html extends the catalogue app's) load shop's file twice.
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
            ],
        },
    }
]

AUTHENTICATION_BACKENDS = [
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"

FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6's default; links typed without a scheme become https

LANGUAGE_CODE = "en-us"
LANGUAGES = [("en-us", "English")]
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "shop" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)  # see shop/urls.py
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Search reads the database (search/, PostgreSQL full-text search in production): no index on a
# server's disk. Oscar 4.2's own search modules still import Haystack when Oscar loads its
# catalogue views, and Haystack refuses to import without these; nothing queries it, and its
# signal processor listens to nothing.
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"

THUMBNAIL_DEBUG = False
THUMBNAIL_FORMAT = "WEBP"  # a third smaller than JPEG at the same quality; every current browser shows it
THUMBNAIL_KEY_PREFIX = "qlclaw"

# The store: a US shop selling in dollars.
OSCAR_SHOP_NAME = "QL Claw"
OSCAR_SHOP_TAGLINE = "Release your low back at home"
OSCAR_HOMEPAGE = reverse_lazy("home")
OSCAR_DEFAULT_CURRENCY = "USD"
OSCAR_CURRENCY_FORMAT = {"USD": {"currency_digits": True, "format_type": "standard"}}
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
OSCAR_ALLOW_ANON_CHECKOUT = True
# Back-in-stock alerts go out from shop.apps.partner's receiver, which skips allocations.
OSCAR_EAGER_ALERTS = False
OSCAR_ALLOW_ANON_REVIEWS = False
OSCAR_MODERATE_REVIEWS = True
# A delivered order's customer is asked for a review this many days later (product_reviews/requests.py),
# unless the delivery is more than REVIEW_REQUEST_WINDOW_DAYS older than that.
REVIEW_REQUEST_AFTER_DAYS = env.int("REVIEW_REQUEST_AFTER_DAYS", default=7)
REVIEW_REQUEST_WINDOW_DAYS = env.int("REVIEW_REQUEST_WINDOW_DAYS", default=14)
OSCAR_REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "line1", "line4", "state", "postcode", "country")
OSCAR_PRODUCTS_PER_PAGE = 12
OSCAR_MISSING_IMAGE_URL = "image_not_found.jpg"
OSCAR_URL_SCHEMA = _site_url.scheme  # Oscar's {% absolute_url site.domain path %} in its emails

# Free standard shipping starts here (USD); setup_store writes it onto the shipping method it creates.
STORE_FREE_SHIPPING_THRESHOLD = env.int("STORE_FREE_SHIPPING_THRESHOLD", default=75)

# After placement (fulfilment/statuses.py): Paid -> Processing -> Shipped -> Delivered, Cancelled
# before shipping, Returned / Refunded after.
OSCAR_INITIAL_ORDER_STATUS = _statuses.INITIAL
OSCAR_INITIAL_LINE_STATUS = _statuses.INITIAL
OSCAR_ORDER_STATUS_PIPELINE = _statuses.ORDER_PIPELINE
OSCAR_LINE_STATUS_PIPELINE = _statuses.LINE_PIPELINE
OSCAR_ORDER_STATUS_CASCADE = _statuses.ORDER_CASCADE

OSCAR_DASHBOARD_NAVIGATION = [dict(section) for section in OSCAR_DASHBOARD_NAVIGATION]
for _section in OSCAR_DASHBOARD_NAVIGATION:
    if any(child.get("url_name") == "dashboard:page-list" for child in _section.get("children", [])):
        _section["children"] = [
            {"label": "Articles", "url_name": "content_pages_dashboard:content-article-list"},
            {"label": "Tutorial videos", "url_name": "content_pages_dashboard:content-video-list"},
            *_section["children"],
        ]
    # Oscar hides the shipping dashboard; our shipping methods live in the database, so show it.
    if any(child.get("url_name") == "dashboard:order-list" for child in _section.get("children", [])):
        _section["children"] = [
            *_section["children"],
            {"label": "Shipping charges", "url_name": "dashboard:shipping-method-list"},
            {"label": "Payments needing attention", "url_name": "payments-dashboard:attention"},
        ]
for _section in OSCAR_DASHBOARD_NAVIGATION:
    # The day's shipping work (fulfilment), right after Oscar's order list.
    _urls = [child.get("url_name") for child in _section.get("children", [])]
    if "dashboard:order-list" in _urls:
        _at = _urls.index("dashboard:order-list") + 1
        _section["children"] = [
            *_section["children"][:_at],
            {"label": "Orders to ship", "url_name": "dashboard:order-to-ship"},
            {"label": "Upload tracking numbers", "url_name": "dashboard:order-tracking-upload"},
            *_section["children"][_at:],
        ]
OSCAR_DASHBOARD_NAVIGATION.append(
    {
        "label": "Subscribers",
        "icon": "fas fa-envelope",
        "children": [
            {"label": "Subscribers", "url_name": "newsletter-dashboard:subscriber-list"},
            {"label": "Campaigns", "url_name": "newsletter-dashboard:campaign-list"},
            {"label": "Suppressed addresses", "url_name": "newsletter-dashboard:suppression-list"},
            {"label": "Checkout reminders", "url_name": "newsletter-dashboard:reminder-list"},
        ],
    }
)
OSCAR_DASHBOARD_NAVIGATION.append(
    {
        "label": "Sales tax",
        "icon": "fas fa-percent",
        "children": [
            {"label": "Rates", "url_name": "tax-dashboard:rate-list"},
            {"label": "Tax collected", "url_name": "tax-dashboard:report"},
        ],
    }
)
for _section in OSCAR_DASHBOARD_NAVIGATION:
    # Article comments are moderated in the Content section, beside Oscar's product reviews.
    if any(child.get("url_name") == "dashboard:reviews-list" for child in _section.get("children", [])):
        _section["children"] = [
            *_section["children"],
            {"label": "Comments", "url_name": "article_comments_dashboard:comments-list"},
            {"label": "Store pages", "url_name": "support-dashboard:store-page-list"},  # shipping, returns, FAQ...
        ]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Oscar logs every missing thumbnail source at ERROR; warnings are enough.
        "sorl.thumbnail": {"level": "WARNING"},
        # Oscar's stock alerts log every product save at INFO, which floods seed_demo.
        "oscar.alerts": {"level": "WARNING"},
        # The task worker's own lines, through the same handler (run_huey adds none of its own then).
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
STORE_HERO_PRODUCT_UPC = env("STORE_HERO_PRODUCT_UPC", default="QLC-CLAW-01")

# The group setup_store gives the dashboard permissions a store manager needs.
STORE_STAFF_GROUP = "Store staff"
STORE_STAFF_APPS = [
    "catalogue", "partner", "order", "shipping", "offer", "voucher", "reviews", "payment",
    "communication", "flatpages", "customer", "address", "content_pages",
    "newsletter", "article_comments",
]
STORE_STAFF_APPS += ["tax"]  # the sales-tax rates and report
STORE_STAFF_APPS += ["support"]  # the words of the shipping, returns, FAQ, about and contact pages
CONTENT_PAGES_PUBLISHER = OSCAR_SHOP_NAME
# What the store's buy box (shop/templates/content_pages/includes/buy_box.html) reads: Oscar's price and stock.
CONTENT_PAGES_PRODUCT_SELECT_RELATED = ["product_class"]
CONTENT_PAGES_PRODUCT_PREFETCH_RELATED = ["stockrecords", "images"]
# A page that shows a tutorial video may frame the players (shop.security).
CONTENT_PAGES_VIDEO_SHOWN = "shop.security.allow_video_frames"

# Newsletter. Links in its emails start from SITE_URL; without DEBUG it must be https (system check
# newsletter.E001: mailbox providers honour one-click unsubscribe over https only).
NEWSLETTER_CONFIRMATION_MAX_AGE = env.int("NEWSLETTER_CONFIRMATION_MAX_AGE", default=3 * 24 * 3600)  # seconds
NEWSLETTER_EMAIL_INTERVAL = 3600  # seconds: at most one sign-up email per address in this time
NEWSLETTER_SIGNUP_RATE = env("NEWSLETTER_SIGNUP_RATE", default="10/h")  # sign-up POSTs per IP (django-ratelimit)
# Campaigns (newsletter/sending.py, docs/newsletter.md). CAN-SPAM: every marketing email carries the
# store's postal address; production has no default (sending refuses, the Campaigns page says why).
NEWSLETTER_POSTAL_ADDRESS = env("NEWSLETTER_POSTAL_ADDRESS", default="100 Demo Street, Portland, OR 97201, USA")
NEWSLETTER_SEND_RATE = env.int("NEWSLETTER_SEND_RATE", default=600)  # messages per minute; 0: no limit
NEWSLETTER_SEND_BATCH_SIZE = env.int("NEWSLETTER_SEND_BATCH_SIZE", default=100)  # messages per claim
NEWSLETTER_CREATE_BATCH_SIZE = 2000  # delivery rows inserted per statement
NEWSLETTER_SEND_LEASE = 600  # seconds: a claim older than this belongs to a dead worker
NEWSLETTER_SEND_MAX_ATTEMPTS = 3  # a message the provider did not accept is tried this many times
NEWSLETTER_SEND_RETRY_DELAY = 60  # seconds before trying again when the provider fails
NEWSLETTER_TASK_SECONDS = 50  # one task's time budget; it then queues the next (other emails get a turn)
NEWSLETTER_TRACK_OPENS = env.bool("NEWSLETTER_TRACK_OPENS", default=False)  # the provider's pixel; off
# The abandoned-checkout reminder (newsletter/reminders.py): once per basket, this long after the
# payment page, for checkouts no older than the max age. Only to shoppers who ticked the marketing
# box unless NEWSLETTER_REMIND_ALL_CHECKOUTS (docs/newsletter.md explains when that is lawful).
NEWSLETTER_CHECKOUT_REMINDER_DELAY = env.int("NEWSLETTER_CHECKOUT_REMINDER_DELAY", default=4 * 3600)  # seconds
NEWSLETTER_CHECKOUT_REMINDER_MAX_AGE = env.int("NEWSLETTER_CHECKOUT_REMINDER_MAX_AGE", default=3 * 24 * 3600)
NEWSLETTER_REMIND_ALL_CHECKOUTS = env.bool("NEWSLETTER_REMIND_ALL_CHECKOUTS", default=False)
NEWSLETTER_RESTORE_LINK_MAX_AGE = 30 * 24 * 3600  # seconds a reminder's "back to my basket" link works

# Article comments (article_comments/conf.py documents each one). Links in their emails start from
# SITE_URL. Rates are django-ratelimit's "N/period".
COMMENTS_TRUST_RETURNING_AUTHORS = env.bool("COMMENTS_TRUST_RETURNING_AUTHORS", default=True)
COMMENTS_PER_PAGE = 20
COMMENTS_MAX_LENGTH = 3000
COMMENTS_MAX_LINKS = 2
COMMENTS_MIN_SUBMIT_SECONDS = 3
COMMENTS_FORM_MAX_AGE = 2 * 3600  # seconds
COMMENTS_CONFIRM_MAX_AGE = 3 * 24 * 3600  # seconds
COMMENTS_RATE_PER_IP = env("COMMENTS_RATE_PER_IP", default="10/h")
COMMENTS_RATE_PER_EMAIL = env("COMMENTS_RATE_PER_EMAIL", default="5/h")
