"""The consent wording shown next to every sign-up, versioned.

Never edit a published text: add a new version and point CURRENT_VERSION at it. Each subscriber
stores the version and the exact words they agreed to, so old records stay true.
"""

from dataclasses import dataclass

TEXTS = {
    "2026-11": (
        "Yes, email me the QL Claw newsletter: release routines and new articles, about once a month. "
        "We first send a link to confirm, we use your address for nothing else, and every email has "
        "a link to unsubscribe."
    ),
}
CURRENT_VERSION = "2026-11"


@dataclass(frozen=True)
class Consent:
    version: str
    text: str


def get_consent(version=None):
    """The consent for `version`, or the current one when the version is missing or unknown
    (a tampered form must not let a client write its own consent text)."""
    if version not in TEXTS:
        version = CURRENT_VERSION
    return Consent(version, TEXTS[version])
