from django.core.management.base import BaseCommand

from checkout import sweep


class Command(BaseCommand):
    help = (
        "Finish payments left pending or refunding (checkout/sweep.py): ask Stripe how each stands, then "
        "place its order, refund it or close it. Safe to run at any time, and beside the periodic task."
    )

    def handle(self, *args, **options):
        outcomes = sweep.sweep()
        if not outcomes:
            self.stdout.write("No payment needed reconciling.")
            return
        for outcome, count in sorted(outcomes.items()):
            self.stdout.write(f"{outcome}: {count}")
        if outcomes.get(sweep.FAILED):
            self.stderr.write(self.style.WARNING("Some payments could not be reconciled; see the log."))
