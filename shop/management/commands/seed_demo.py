"""Load the store's demo data: products, images, articles and videos. It runs setup_store first
(Site, shipping, staff group), so a fresh database becomes a demo store in one command. Safe to
run again: it creates what is missing and leaves anything staff have changed (prices, stock,
copy, images) as it is."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from content_pages.models import (
    Article,
    ArticleProduct,
    ArticleVideo,
    Citation,
    ProductVideo,
    TutorialVideo,
    VideoPlacement,
)
from content_pages.video import parse_video_url
from fulfilment.demo import seed_demo_orders
from shop.demo import content, illustrations
from tax.demo import seed_demo_rates

Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")

CLAW_DESCRIPTION = """
<p>The QL Claw is a self-massage tool shaped for the deep muscles that hands, balls and foam
rollers struggle to reach: the psoas and iliacus at the front of the hip, the quadratus lumborum
at the side of the low back, the gluteus medius and the paraspinal muscles along the spine.</p>
<p>You lie on it and let gravity set the pressure. For the psoas, place it under the belly a
little to the side of the navel, lie face down, breathe slowly and rock gently from side to side.
One or two minutes per side is plenty; ease off at once if you feel a sharp or pulsing pain.</p>
<ul>
<li>Three rounded contact points on a stable base that does not roll away</li>
<li>Firm enough for the QL and glutes, gentle enough for the abdomen</li>
<li>Light and compact: fits in a desk drawer or a carry-on bag</li>
</ul>
"""

PRODUCTS = [
    {
        "upc": "QLC-CLAW-01",
        "title": "QL Claw",
        "slug": "ql-claw",
        "class": "Massage tool",
        "category": "Massage tools",
        "priority": 10,
        "price": Decimal("49.99"),
        "stock": 100,
        "description": CLAW_DESCRIPTION,
        "meta_description": "A self-massage tool that releases psoas, QL and low back trigger points at home.",
        "images": [
            ("product_hero", "The QL Claw from the side: a stable base, an arched arm and three rounded knobs"),
            ("product_in_use", "Using the QL Claw on the psoas: lying face down with the tool under the belly"),
            ("product_targets", "The five muscles the QL Claw is shaped for, on a back view"),
        ],
    },
    {
        "upc": "QLC-BAG-01",
        "title": "QL Claw carry bag",
        "slug": "ql-claw-carry-bag",
        "class": "Accessory",
        "category": "Accessories",
        "priority": 5,
        "price": Decimal("14.99"),
        "stock": 60,
        "description": "<p>A padded zip bag that holds the QL Claw, so it comes along to the office, "
        "the gym or on a trip.</p>",
        "meta_description": "Padded carry bag for the QL Claw.",
        "images": [("carry_bag", "The QL Claw carry bag")],
    },
    {
        "upc": "QLC-PADS-02",
        "title": "QL Claw replacement grip pads (set of 2)",
        "slug": "ql-claw-replacement-grip-pads",
        "class": "Accessory",
        "category": "Accessories",
        "priority": 4,
        "price": Decimal("9.99"),
        "stock": 80,
        "description": "<p>Two soft-touch pads that clip onto the QL Claw's base to keep it from "
        "sliding on hard floors. Washable.</p>",
        "meta_description": "Replacement non-slip grip pads for the QL Claw, set of two.",
        "images": [("grip_pads", "Two round QL Claw grip pads")],
    },
]


class Command(BaseCommand):
    help = (
        "Set up the store (setup_store), then add the demo catalogue, stock, articles, videos and sales-tax rates "
        "(idempotent)."
    )

    def handle(self, *args, **options):
        call_command("setup_store", verbosity=options["verbosity"], stdout=self.stdout)
        with transaction.atomic():
            partner, _ = Partner.objects.get_or_create(code="qlclaw-us", defaults={"name": "QL Claw US"})
            for spec in PRODUCTS:
                self.seed_product(spec, partner)
            self.seed_content()
            seed_demo_rates()
        call_command("make_renditions", verbosity=0)  # the image sizes pages show, here rather than by the worker
        # Saves index themselves; this also covers a demo database made before the search app.
        call_command("rebuild_search_index", verbosity=0)
        if placed := seed_demo_orders():  # demo mode only: paid orders for the fulfilment pages
            self.stdout.write(f"Placed {placed} demo orders to ship (Fulfilment > Orders to ship).")
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))

    def seed_product(self, spec, partner):
        product_class, _ = ProductClass.objects.get_or_create(
            name=spec["class"], defaults={"requires_shipping": True, "track_stock": True}
        )
        product, created = Product.objects.get_or_create(
            upc=spec["upc"],
            defaults={
                "title": spec["title"],
                "slug": spec["slug"],
                "product_class": product_class,
                "description": spec["description"].strip(),
                "meta_description": spec["meta_description"],
                "priority": spec["priority"],
                "is_public": True,
            },
        )
        category = create_from_breadcrumbs(spec["category"])
        ProductCategory.objects.get_or_create(product=product, category=category)
        StockRecord.objects.get_or_create(
            product=product,
            partner=partner,
            defaults={
                "partner_sku": spec["upc"],
                "price_currency": settings.OSCAR_DEFAULT_CURRENCY,
                "price": spec["price"],
                "num_in_stock": spec["stock"],
                "low_stock_threshold": 10,
            },
        )
        if not product.images.exists():
            for order, (drawing, caption) in enumerate(spec["images"]):
                image = ProductImage(product=product, caption=caption, display_order=order)
                image.original.save(f"{spec['slug']}-{order + 1}.png", ContentFile(getattr(illustrations, drawing)()))
        verb = "Created" if created else "Kept"
        self.stdout.write(f"{verb} {product.title}")

    def seed_content(self):
        """The psoas article, a second article and three tutorial videos, linked to the QL Claw."""
        claw = Product.objects.get(upc=settings.STORE_HERO_PRODUCT_UPC)
        videos = {}
        for order, spec in enumerate(content.VIDEOS):
            ref = parse_video_url(spec["url"])
            video = TutorialVideo.objects.filter(provider=ref.provider, video_id=ref.video_id).first()
            if video is None:
                video = TutorialVideo(**spec)
                video.poster.save(f"poster-{ref.video_id}.png", ContentFile(illustrations.video_poster(spec["title"])),
                                  save=False)
                video.save()
                ProductVideo.objects.get_or_create(product=claw, video=video, defaults={"sort_order": order})
            videos[video.title] = video
        for placement, titles in content.PLACEMENTS.items():
            for order, title in enumerate(titles):
                if title in videos:
                    VideoPlacement.objects.get_or_create(
                        placement=placement, video=videos[title], defaults={"sort_order": order}
                    )
        for spec in (content.PSOAS_ARTICLE, content.QL_ARTICLE):
            spec = dict(spec)
            if Article.objects.filter(slug=spec["slug"]).exists():
                continue
            citations = spec.pop("citations")
            days_ago = spec.pop("published_days_ago", 2)
            article = Article(
                **spec,
                status=Article.Status.PUBLISHED,
                publish_at=timezone.now() - timedelta(days=days_ago),
                last_reviewed=timezone.localdate(),
                hero_alt="An illustration of the QL Claw beside the article title",
            )
            article.hero_image.save(f"{spec['slug']}.png", ContentFile(illustrations.article_hero(spec["title"])),
                                    save=False)
            article.save()
            for order, citation in enumerate(citations):
                Citation.objects.create(article=article, sort_order=order, **citation)
            ArticleProduct.objects.create(article=article, product=claw, cta_text="Release your psoas tonight")
            if article.slug == content.PSOAS_ARTICLE["slug"]:
                for order, video in enumerate(videos.values()):
                    ArticleVideo.objects.create(article=article, video=video, sort_order=order)
            self.stdout.write(f"Created article {article.title}")
