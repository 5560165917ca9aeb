#!/usr/bin/env python
"""Make the stock Oscar project's database and fill it with the store's demo catalogue.

The same products as `manage.py seed_demo` (read from shop/management/commands/seed_demo.py, so the
titles, slugs, descriptions, prices, stock and image drawings cannot drift apart), created with
Oscar's own models, plus the psoas article's text as a flat page at the store's article address
(stock Oscar has no articles; a flat page is what it offers for one). Safe to run again.

Environment: SECRET_KEY (any value), STOCK_DATABASE_URL (postgres://.../qlclaw_stock_oscar).
"""

import ast
import os
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT)]
os.environ["DJANGO_SETTINGS_MODULE"] = "stock_oscar.settings"

ARTICLE_URL = "/learn/psoas-trigger-points/"


def store_products():
    """PRODUCTS and CLAW_DESCRIPTION from the store's seed_demo.py, without importing it (it imports
    the store's own apps, which this project does not install)."""
    source = (ROOT / "shop" / "management" / "commands" / "seed_demo.py").read_text()
    wanted = {"CLAW_DESCRIPTION", "PRODUCTS"}
    namespace = {"Decimal": Decimal}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and {getattr(t, "id", None) for t in node.targets} & wanted:
            exec(compile(ast.Module(body=[node], type_ignores=[]), "seed_demo.py", "exec"), namespace)  # noqa: S102
    return namespace["PRODUCTS"]


def seed():
    from django.conf import settings
    from django.contrib.flatpages.models import FlatPage
    from django.contrib.sites.models import Site
    from django.core.files.base import ContentFile
    from django.db import transaction
    from oscar.apps.catalogue.categories import create_from_breadcrumbs
    from oscar.core.loading import get_model

    from shop.demo import content, illustrations

    Partner = get_model("partner", "Partner")
    StockRecord = get_model("partner", "StockRecord")
    Product = get_model("catalogue", "Product")
    ProductClass = get_model("catalogue", "ProductClass")
    ProductCategory = get_model("catalogue", "ProductCategory")
    ProductImage = get_model("catalogue", "ProductImage")
    Country = get_model("address", "Country")

    with transaction.atomic():
        Site.objects.filter(pk=settings.SITE_ID).update(domain="127.0.0.1", name="Stock Oscar")
        Country.objects.get_or_create(
            iso_3166_1_a2="US", defaults={"iso_3166_1_a3": "USA", "iso_3166_1_numeric": "840",
                                          "printable_name": "United States", "name": "United States of America",
                                          "is_shipping_country": True},
        )
        partner, _ = Partner.objects.get_or_create(code="qlclaw-us", defaults={"name": "QL Claw US"})
        for spec in store_products():
            product_class, _ = ProductClass.objects.get_or_create(
                name=spec["class"], defaults={"requires_shipping": True, "track_stock": True}
            )
            product, created = Product.objects.get_or_create(
                upc=spec["upc"],
                defaults={
                    "title": spec["title"], "slug": spec["slug"], "product_class": product_class,
                    "description": spec["description"].strip(), "meta_description": spec["meta_description"],
                    "priority": spec["priority"], "is_public": True,
                },
            )
            ProductCategory.objects.get_or_create(product=product, category=create_from_breadcrumbs(spec["category"]))
            StockRecord.objects.get_or_create(
                product=product, partner=partner,
                defaults={"partner_sku": spec["upc"], "price_currency": "USD", "price": spec["price"],
                          "num_in_stock": spec["stock"], "low_stock_threshold": 10},
            )
            if not product.images.exists():
                for order, (drawing, caption) in enumerate(spec["images"]):
                    image = ProductImage(product=product, caption=caption, display_order=order)
                    image.original.save(f"{spec['slug']}-{order + 1}.png",
                                        ContentFile(getattr(illustrations, drawing)()))
            print(f"{'Created' if created else 'Kept'} {product.title} (id {product.pk})")
        page, _ = FlatPage.objects.update_or_create(
            url=ARTICLE_URL,
            defaults={"title": content.PSOAS_ARTICLE["title"], "content": content.PSOAS_ARTICLE["body"]},
        )
        page.sites.set([settings.SITE_ID])


def main():
    from serve_production import create_database

    create_database(os.environ.get("STOCK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qlclaw_stock_oscar"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    seed()
    call_command("rebuild_index", interactive=False, verbosity=0)


if __name__ == "__main__":
    main()
