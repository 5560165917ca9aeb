import uuid
from decimal import Decimal

from django import forms
from oscar.templatetags.currency_filters import currency


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
