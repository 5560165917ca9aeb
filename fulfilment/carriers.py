"""Carriers, tracking numbers and the links to each carrier's tracking page.

One place that decides what a tracking number may look like, used by the dashboard's ship form,
the "ship selected" page and the CSV upload alike.
"""

import re
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import models


class Carrier(models.TextChoices):
    USPS = "usps", "USPS"
    UPS = "ups", "UPS"
    FEDEX = "fedex", "FedEx"
    OTHER = "other", "Other carrier"


TRACKING_URLS = {
    Carrier.USPS: "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
    Carrier.UPS: "https://www.ups.com/track?loc=en_US&tracknum={number}",
    Carrier.FEDEX: "https://www.fedex.com/fedextrack/?trknbr={number}",
}

# USPS's longest (IMpb with the ZIP routing code) has 34 characters.
TRACKING_NUMBER_MAX_LENGTH = 34
TRACKING_NUMBER_MIN_LENGTH = 8
CARRIER_NAME_MAX_LENGTH = 40

_TRACKING_RE = re.compile(r"[A-Z0-9]+")
_SEPARATORS_RE = re.compile(r"[\s\-]+")
_CARRIER_NAME_RE = re.compile(r"[\w .&'()-]+")
# What a spreadsheet or a person may write for each carrier.
_CARRIER_ALIASES = {
    "usps": Carrier.USPS,
    "us postal service": Carrier.USPS,
    "united states postal service": Carrier.USPS,
    "ups": Carrier.UPS,
    "united parcel service": Carrier.UPS,
    "fedex": Carrier.FEDEX,
    "fed ex": Carrier.FEDEX,
    "federal express": Carrier.FEDEX,
}


def clean_tracking_number(value):
    """The tracking number as carriers print it: letters and digits, upper case. Spaces and
    dashes people type or paste are dropped. Raises ValidationError with a message for staff."""
    number = _SEPARATORS_RE.sub("", str(value or "")).upper()
    if not number:
        raise ValidationError("Enter the tracking number.", code="required")
    if len(number) > TRACKING_NUMBER_MAX_LENGTH:
        raise ValidationError(
            f"A tracking number has at most {TRACKING_NUMBER_MAX_LENGTH} letters and digits; this one has "
            f"{len(number)} characters.",
            code="max_length",
        )
    if not _TRACKING_RE.fullmatch(number):
        raise ValidationError(
            "A tracking number has only letters and digits (spaces and dashes are removed).", code="invalid"
        )
    if len(number) < TRACKING_NUMBER_MIN_LENGTH:
        raise ValidationError(
            f"A tracking number has at least {TRACKING_NUMBER_MIN_LENGTH} letters and digits.", code="min_length"
        )
    return number


def clean_carrier_name(value):
    """The name of a carrier that is not one of ours (a regional courier): plain text."""
    name = " ".join(str(value or "").split())
    if not name:
        raise ValidationError("Name the carrier.", code="required")
    if len(name) > CARRIER_NAME_MAX_LENGTH:
        raise ValidationError(f"A carrier's name has at most {CARRIER_NAME_MAX_LENGTH} characters.", code="max_length")
    if not _CARRIER_NAME_RE.fullmatch(name):
        raise ValidationError(
            "A carrier's name has letters, digits, spaces and . & ' ( ) - only.", code="invalid"
        )
    return name


def carrier_from_text(value):
    """(carrier code, carrier name) for what a CSV cell says: "USPS", "ups", "Fed Ex", or the name
    of another carrier. Raises ValidationError if it is empty or not plain text."""
    text = " ".join(str(value or "").split())
    known = _CARRIER_ALIASES.get(text.lower())
    if known is not None:
        return known, ""
    return Carrier.OTHER, clean_carrier_name(text)


def tracking_url(carrier, number):
    """The carrier's public tracking page for this number, or "" for another carrier."""
    template = TRACKING_URLS.get(carrier)
    return template.format(number=quote(number, safe="")) if template else ""


def carrier_label(carrier, name=""):
    if carrier == Carrier.OTHER:
        return name or Carrier.OTHER.label
    return Carrier(carrier).label
