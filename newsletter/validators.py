"""What counts as one sign-up address and as a sign-up source. The form and the services share it."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

# RFC 5321 caps a forward path at 256 octets including the angle brackets.
MAX_EMAIL_LENGTH = 254
SOURCE_RE = re.compile(r"^(footer|checkout|article:[-\w]{1,200})\Z")
# Characters that turn one address into a list, a display name or a header of its own.
_SEPARATORS = re.compile(r"[,;<>\s]")


def normalise_email(value):
    """Strip surrounding spaces and lowercase the domain. The local part keeps its case (a few
    mail servers honour it); uniqueness ignores case through the database constraint."""
    local, _at, domain = value.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_signup_email(value):
    """Return the normalised address or raise ValidationError with a message that says what to fix."""
    value = value or ""
    if "\r" in value or "\n" in value:
        raise ValidationError(_("Enter your email address on a single line."), code="multiline")
    value = value.strip()
    if not value:
        raise ValidationError(_("Enter your email address."), code="required")
    if _SEPARATORS.search(value) or value.count("@") > 1:
        raise ValidationError(
            _("Enter just one email address, like name@example.com, without a name or brackets."), code="several"
        )
    if len(value) > MAX_EMAIL_LENGTH:
        raise ValidationError(
            _("That address is too long: email addresses have at most %(max)d characters."),
            code="too_long",
            params={"max": MAX_EMAIL_LENGTH},
        )
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            _("That doesn't look like an email address. Check it and try again, like name@example.com."),
            code="invalid",
        ) from None
    return normalise_email(value)


def is_valid_source(value):
    return bool(SOURCE_RE.match(value or ""))
