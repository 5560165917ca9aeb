from oscar.apps.address.models import *  # noqa: F401,F403  (Oscar's documented fork pattern)
