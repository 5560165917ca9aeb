"""The dashboard's forms: a state's rate with its ZIP-prefix rates, and the report's filter. Every
error says what to type instead, and the form keeps what was typed."""

import datetime
import re

from django import forms
from django.forms import inlineformset_factory

from tax.models import LocalRate, StateRate
from tax.service import percent
from tax.states import STATES, state_code, state_name

RATE_ERRORS = {
    "invalid": "Enter the rate as a number of percent, e.g. 8.875.",
    # Django fills these in with %-formatting: a percent sign is written %%.
    "min_value": "A rate cannot be below 0%%.",
    "max_value": "A rate cannot be above 100%%.",
    "max_decimal_places": "Use at most 4 decimals, e.g. 8.875.",
    "max_digits": "Enter a rate between 0 and 100 percent, with at most 4 decimals.",
    "max_whole_digits": "A rate cannot be above 100%%.",
}


class RateField(forms.DecimalField):
    """Percent with up to 4 decimals, shown without trailing zeros (8.875, not 8.8750)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 7)
        kwargs.setdefault("decimal_places", 4)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 100)
        kwargs.setdefault("error_messages", RATE_ERRORS)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if value in (None, "") or isinstance(value, str):
            return value
        return percent(value).rstrip("%")


class StateRateForm(forms.ModelForm):
    state = forms.CharField(
        label="State",
        max_length=40,
        help_text="Two-letter code or name, e.g. NY or New York.",
        widget=forms.TextInput(attrs={"list": "us-states", "autocomplete": "off", "class": "form-control"}),
    )
    rate = RateField(label="State rate (%)", help_text=StateRate._meta.get_field("rate").help_text)

    class Meta:
        model = StateRate
        fields = ["state", "collects", "rate", "shipping_taxable"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A state's row is edited, never moved to another state: the history follows the state.
            self.fields["state"].disabled = True
            self.fields["state"].help_text = ""
            self.initial["state"] = f"{state_name(self.instance.state)} ({self.instance.state})"

    def clean_state(self):
        if self.instance.pk:
            return self.instance.state
        typed = self.cleaned_data["state"]
        code = state_code(typed)
        if code is None:
            raise forms.ValidationError(
                f"“{typed}” is not a US state, DC or territory. Type its two-letter code, e.g. NY.", code="unknown"
            )
        if StateRate.objects.filter(state=code).exists():
            raise forms.ValidationError(
                f"{state_name(code)} already has a rate: edit it from the list instead.", code="exists"
            )
        return code

    def validate_unique(self):
        # clean_state has said it in words; the database constraint still guards a race.
        pass


class LocalRateForm(forms.ModelForm):
    # No max_length on the field: a prefix too long gets the same plain message as any other.
    zip_prefix = forms.CharField(
        label="ZIP prefix",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "maxlength": 5, "class": "form-control", "style": "min-width: 5.5rem"}
        ),
    )
    name = forms.CharField(
        label="Area",
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "style": "min-width: 10rem"}),
    )
    # On a phone the table scrolls sideways rather than squeezing what was typed out of sight.
    rate = RateField(
        label="Combined rate (%)",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control", "style": "min-width: 6rem"}),
    )

    class Meta:
        model = LocalRate
        fields = ["zip_prefix", "name", "rate"]

    def clean_zip_prefix(self):
        prefix = self.cleaned_data["zip_prefix"].strip()
        if not re.fullmatch(r"\d{1,5}", prefix):
            raise forms.ValidationError(
                f"“{prefix}” is not a ZIP prefix: use 1 to 5 digits, e.g. 100 or 10001.", code="invalid"
            )
        return prefix


class BaseLocalRateFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = {}
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            prefix = form.cleaned_data.get("zip_prefix")
            if not prefix:
                continue
            if prefix in seen:
                form.add_error("zip_prefix", f"ZIP prefix {prefix} is listed twice: keep one rate for it.")
            seen[prefix] = form

    def validate_unique(self):
        # clean() has said it per row; the database constraint still guards a race.
        pass


LocalRateFormSet = inlineformset_factory(
    StateRate, LocalRate, form=LocalRateForm, formset=BaseLocalRateFormSet, extra=3, can_delete=True
)


MONTH_FORMAT = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(forms.CharField):
    """A month typed as YYYY-MM (the browser's month picker sends that), as its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "class": "form-control"})

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        match = MONTH_FORMAT.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise forms.ValidationError(f"“{value}” is not a month: type it as YYYY-MM, e.g. 2025-03.")
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)


class ReportForm(forms.Form):
    start = MonthField(label="From", required=False)
    end = MonthField(label="To", required=False)
    state = forms.CharField(
        label="State",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"list": "us-states", "placeholder": "All states", "class": "form-control"}),
    )

    def __init__(self, data=None, *, today):
        end = today.replace(day=1)
        # Unfiltered, the fields show the months the table shows: the last twelve.
        super().__init__(data, initial={"start": f"{_months_before(end, 11):%Y-%m}", "end": f"{end:%Y-%m}"})
        self.today = today

    def clean_state(self):
        typed = self.cleaned_data["state"].strip()
        if not typed:
            return ""
        code = state_code(typed)
        if code is None:
            raise forms.ValidationError(f"“{typed}” is not a US state. Type its two-letter code, e.g. NY.")
        return code

    def clean(self):
        data = super().clean()
        this_month = self.today.replace(day=1)
        end = data.get("end") or this_month
        start = data.get("start") or _months_before(end, 11)
        if "start" in self.errors or "end" in self.errors:
            return data
        if start > end:
            self.add_error("end", "The last month comes before the first one.")
        data["start"], data["end"] = start, end
        return data


def _months_before(month, count):
    index = month.year * 12 + month.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def state_datalist():
    return sorted(STATES.items(), key=lambda item: item[1])
