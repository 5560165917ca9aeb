"""The dashboard's forms for shipping, status changes, cancellations, returns and CSV uploads."""

import uuid

from django import forms
from django.core.exceptions import ValidationError

from fulfilment import carriers, statuses
from fulfilment.services import MAX_REASON_LENGTH


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(choices=carriers.Carrier.choices, initial=carriers.Carrier.USPS)
    carrier_name = forms.CharField(
        label="Carrier's name",
        required=False,
        help_text="Only for another carrier.",
        widget=forms.TextInput(attrs={"maxlength": carriers.CARRIER_NAME_MAX_LENGTH, "autocomplete": "off"}),
    )
    # No max_length here: a pasted 500-character value gets the message that says why.
    tracking_number = forms.CharField(
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters", "maxlength": 64}
        ),
        help_text="As printed on the label; spaces and dashes are fine.",
    )

    def clean_tracking_number(self):
        return carriers.clean_tracking_number(self.cleaned_data["tracking_number"])

    def clean(self):
        data = super().clean()
        if data.get("carrier") == carriers.Carrier.OTHER:
            try:
                data["carrier_name"] = carriers.clean_carrier_name(data.get("carrier_name"))
            except ValidationError as error:
                self.add_error("carrier_name", error)
        else:
            data["carrier_name"] = ""
        return data


class StatusForm(forms.Form):
    """The steps that need nothing but a click. Shipping, cancelling, returns and refunds have
    forms of their own."""

    ONE_CLICK = (statuses.PROCESSING, statuses.DELIVERED)

    new_status = forms.ChoiceField(label="New status", choices=())

    def __init__(self, order, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_status"].choices = [(s, s) for s in order.available_statuses() if s in self.ONE_CLICK]

    @property
    def has_choices(self):
        return bool(self.fields["new_status"].choices)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason (goes in the customer's email; optional)",
        required=False,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label="Yes, cancel this order", error_messages={"required": "Tick the box to confirm."}
    )


class ReturnForm(forms.Form):
    RESTOCK, NO_RESTOCK = "yes", "no"

    restock = forms.ChoiceField(
        label="Can the returned items be sold again?",
        choices=[
            (RESTOCK, "Yes: put them back in stock"),
            (NO_RESTOCK, "No (damaged or used): do not put them back"),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Say whether the items go back in stock."},
    )
    refund_amount = forms.DecimalField(
        label="Refund now",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="Refunded to the customer's card with the return. Leave empty to refund later on the Payment tab.",
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # Sending the same form twice refunds once (the checkout's idempotency key).
            self.initial["token"] = uuid.uuid4().hex


class TrackingUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns order_number, carrier and tracking_number (other columns are ignored).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
