"""Make the sizes pages show of every product image that lacks them (catalogue/renditions.py).

Saving an image queues this for the worker; this command is for images saved before renditions
existed, a restored media folder, or a change of SIZES (--all). Runs here, not in the worker.
"""

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from oscar.core.loading import get_model

from catalogue import renditions


class Command(BaseCommand):
    help = "Make the missing renditions of product images (--all: remake every one)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Remake renditions that are already there.")

    def handle(self, *args, **options):
        ProductImage = get_model("catalogue", "ProductImage")
        made = failed = 0
        for image in ProductImage.objects.exclude(original="").order_by("pk").iterator():
            if not options["all"] and renditions.is_current(image) and self._files_exist(image):
                continue
            if renditions.make_renditions(image) is None:
                failed += 1
                self.stderr.write(f"Image {image.pk} ({image.original.name}): the original cannot be read.")
            else:
                made += 1
        if options["verbosity"]:
            self.stdout.write(f"Made the renditions of {made} image(s); {failed} could not be read.")

    @staticmethod
    def _files_exist(image):
        return all(default_storage.exists(entry["name"]) for entry in image.renditions.get("sizes", {}).values())
