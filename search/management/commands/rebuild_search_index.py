from django.core.management.base import BaseCommand
from django.db import transaction

from search import documents


class Command(BaseCommand):
    help = (
        "Write every search document again from the products, articles and videos. Saves keep the "
        "documents current by themselves; run this after a bulk update that sends no signal, or once "
        "on a database that predates the search app."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            count = documents.rebuild()
        if options["verbosity"]:
            self.stdout.write(f"{count} search documents written.")
