"""Set up what a real store needs before its first sale, and nothing of the demo.

Run on every deploy, after `migrate`. Safe to run again: it creates what is missing, keeps what
staff have changed (shipping prices, the staff group's extra permissions), and makes the Site's
domain SITE_URL's host again, so a store that moves (or `make run PORT=...`) follows.
"""

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.sites.models import Site
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import transaction
from django.template.loader import get_template
from oscar.core.loading import get_model

from fulfilment import emails as fulfilment_emails
from shop.links import site_domain
from support import content as support_pages

Country = get_model("address", "Country")
CommunicationEventType = get_model("communication", "CommunicationEventType")
OrderAndItemCharges = get_model("shipping", "OrderAndItemCharges")

# Django creates the first Site with this name and domain.
DJANGO_DEFAULT_SITE = "example.com"


def shipping_methods():
    return [
        {
            "code": "standard",
            "name": "Standard shipping (3-5 business days)",
            "delivery_time": "3-5 business days",
            "description": "USPS Priority Mail, tracked.",  # the shipping page and checkout show the free-from amount
            "price_per_order": Decimal("5.95"),
            "free_shipping_threshold": Decimal(settings.STORE_FREE_SHIPPING_THRESHOLD),
        },
        {
            "code": "express",
            "name": "Express shipping (1-2 business days)",
            "delivery_time": "1-2 business days",
            "description": "UPS Next Day Air for orders placed before 2 pm Eastern.",
            "price_per_order": Decimal("19.95"),
            "free_shipping_threshold": None,
        },
    ]


class Command(BaseCommand):
    help = (
        "Set up the store: Site, shipping country and methods, staff group, order emails, support pages, "
        "Oscar's missing-image file (idempotent)."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            self.set_up_site()
            us = self.set_up_country()
            self.set_up_shipping(us)
            self.set_up_staff_group()
            self.set_up_order_emails()
            support_pages.create_missing_pages()  # shipping, returns, FAQ, about: staff edit the words after
        self.copy_missing_image()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"The store is set up for {settings.SITE_URL}."))

    def set_up_site(self):
        """The Site's domain is SITE_URL's host: Oscar's emails build their links on it."""
        site = Site.objects.get_current()
        changed = False
        if site.domain != site_domain():
            site.domain, changed = site_domain(), True
        if site.name == DJANGO_DEFAULT_SITE:
            site.name, changed = settings.OSCAR_SHOP_NAME, True
        if changed:
            site.save()

    def set_up_country(self):
        us, _ = Country.objects.get_or_create(
            iso_3166_1_a2="US",
            defaults={
                "iso_3166_1_a3": "USA",
                "iso_3166_1_numeric": "840",
                "printable_name": "United States",
                "name": "United States of America",
                "is_shipping_country": True,
                "display_order": 10,
            },
        )
        return us

    def set_up_shipping(self, us):
        """Created once; prices and names are the staff's to change in the dashboard after that."""
        for spec in shipping_methods():
            code = spec.pop("code")
            method, created = OrderAndItemCharges.objects.get_or_create(code=code, defaults=spec)
            if created:
                method.countries.add(us)

    def set_up_staff_group(self):
        """Oscar 4.2's dashboard checks model permissions, not just is_staff. Staff accounts
        join this group to run the store without being superusers. Permissions staff added to
        the group stay."""
        group, _ = Group.objects.get_or_create(name=settings.STORE_STAFF_GROUP)
        group.permissions.add(*Permission.objects.filter(content_type__app_label__in=settings.STORE_STAFF_APPS))

    def set_up_order_emails(self):
        """The emails customers get as their order moves on (fulfilment.emails), as Oscar
        communication event types whose wording staff edit under Content > Email templates. Created
        with the wording of the file templates; what staff wrote since is kept."""
        for code, name in fulfilment_emails.EVENT_TYPES.items():
            if CommunicationEventType.objects.filter(code=code).exists():
                continue
            prefix = f"oscar/communication/emails/commtype_{code.lower()}"
            CommunicationEventType.objects.create(
                code=code,
                name=name,
                category=CommunicationEventType.ORDER_RELATED,
                email_subject_template=get_template(f"{prefix}_subject.txt").template.source.strip(),
                email_body_template=get_template(f"{prefix}_body.txt").template.source,
                email_body_html_template=get_template(f"{prefix}_body.html").template.source,
            )

    def copy_missing_image(self):
        """Oscar's thumbnailer reads its "no image" placeholder from the media storage."""
        import oscar

        name = settings.OSCAR_MISSING_IMAGE_URL
        if not default_storage.exists(name):
            with (Path(oscar.__file__).parent / "static/oscar/img/image_not_found.jpg").open("rb") as image:
                default_storage.save(name, File(image))
