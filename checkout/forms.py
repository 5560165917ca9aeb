import re
import uuid
from decimal import Decimal

from django import forms
from oscar.apps.address.forms import AbstractAddressForm
from oscar.core.loading import get_model
from oscar.forms.mixins import PhoneNumberMixin
from oscar.templatetags.currency_filters import currency

from tax.states import STATES, state_code

Country = get_model("address", "Country")

# The store ships to the 50 states and DC (setup_store's only shipping country is the US).
_NOT_SHIPPED_TO = {"AS", "GU", "MP", "PR", "VI", "AA", "AE", "AP"}
US_STATE_CHOICES = sorted(
    ((code, name) for code, name in STATES.items() if code not in _NOT_SHIPPED_TO), key=lambda choice: choice[1]
)
_ZIP = re.compile(r"^(\d{5})(?:[-\s]?(\d{4}))?$")
ZIP_ERROR = "Enter a 5-digit ZIP code, like 62701, or ZIP+4, like 62701-1234."


def clean_zip(value):
    """ "62701", "62701-1234", "62701 1234" or "627011234" as the Postal Service writes it; else an error."""
    match = _ZIP.match((value or "").strip())
    if not match:
        raise forms.ValidationError(ZIP_ERROR, code="invalid_zip")
    five, four = match.groups()
    return f"{five}-{four}" if four else five


class USAddressFormMixin:
    """One US address form for the checkout and the account's address book: Address line 1 and 2,
    City, State (a list of the states and DC), ZIP code, phone optional. No third line, no
    country (always the US): Oscar's fields keep their names (line4 is the city), so orders and
    the tax rules read them as before."""

    US_FIELDS = ["first_name", "last_name", "line1", "line2", "line4", "state", "postcode", "phone_number"]
    LABELS = {
        "first_name": ("First name", "given-name", ""),
        "last_name": ("Last name", "family-name", ""),
        "line1": ("Address line 1", "address-line1", "Street address or P.O. box"),
        "line2": ("Address line 2 (optional)", "address-line2", "Apartment, suite, unit, floor"),
        "line4": ("City", "address-level2", ""),
        "state": ("State", "address-level1", ""),
        "postcode": ("ZIP code", "postal-code", ""),
        "phone_number": ("Phone (optional)", "tel", "Only if the carrier needs to reach you about the delivery."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.country = self.us()
        self.fields["state"] = forms.ChoiceField(choices=[("", "Choose a state")] + US_STATE_CHOICES)
        self.fields["postcode"] = forms.CharField(max_length=10)
        for name in [name for name in self.fields if name not in self.US_FIELDS]:
            del self.fields[name]
        for name, (label, autocomplete, help_text) in self.LABELS.items():
            field = self.fields[name]
            field.label, field.help_text = label, help_text
            field.required = name in {"first_name", "last_name", "line1", "line4", "state", "postcode"}
            field.widget.attrs.update({"autocomplete": autocomplete, "class": "form-control"})
        self.fields["postcode"].widget.attrs.update({"inputmode": "numeric", "maxlength": "10"})
        self.fields["phone_number"].widget.input_type = "tel"
        # A state saved before the list (typed as "Illinois") is offered as its code.
        if self.instance.pk and self.instance.state and self.instance.state not in STATES:
            self.initial["state"] = state_code(self.instance.state) or ""

    @staticmethod
    def us():
        return Country._default_manager.get(pk="US")

    def get_country(self):  # PhoneNumberMixin reads a local number as a US one
        return self.instance.country

    def clean_postcode(self):
        return clean_zip(self.cleaned_data.get("postcode"))

    def _post_clean(self):
        super()._post_clean()
        # Oscar's address model says again, as an error on the whole form, that the ZIP code the
        # field already marks is missing: one message, beside the field, is enough.
        if self.has_error("postcode"):
            self._errors.pop(forms.forms.NON_FIELD_ERRORS, None)


class ShippingAddressForm(USAddressFormMixin, PhoneNumberMixin, AbstractAddressForm):
    class Meta:
        model = get_model("order", "shippingaddress")
        fields = USAddressFormMixin.US_FIELDS


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount to refund",
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text="Up to the amount paid and not yet refunded.",
    )
    # Sending the same form twice must not refund twice: the token becomes Stripe's idempotency key.
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, refundable, currency_code, **kwargs):
        self.refundable = refundable
        self.currency_code = currency_code
        kwargs.setdefault("initial", {"amount": refundable, "token": uuid.uuid4()})
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs.update({"max": refundable, "step": "0.01", "min": "0.01"})

    def renew_token(self):
        """After Stripe answered (even with an error) the key is spent: the next try needs a new one."""
        self.data = self.data.copy()
        self.data[self.add_prefix("token")] = str(uuid.uuid4())

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount > self.refundable:
            raise forms.ValidationError(
                f"At most {currency(self.refundable, self.currency_code)} can be refunded on this order."
            )
        return amount
