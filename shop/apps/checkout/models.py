from oscar.apps.checkout.models import *  # noqa: F401,F403  (Oscar's fork layout; the checkout has no models)
