import re
from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.text import slugify
from oscar.core.loading import get_model

OrderAndItemCharges = get_model("shipping", "OrderAndItemCharges")
Country = get_model("address", "Country")

TITLE_MAX_LENGTH = 80


class ShippingMethodForm(forms.ModelForm):
    """A shipping method as shoppers see it at checkout: the name is title + delivery time."""

    title = forms.CharField(
        label="Name", max_length=TITLE_MAX_LENGTH, help_text="As shoppers see it, e.g. \"Standard shipping\"."
    )

    class Meta:
        model = OrderAndItemCharges
        fields = ["delivery_time", "description", "price_per_order", "price_per_item", "free_shipping_threshold",
                  "countries"]
        labels = {
            "price_per_order": "Price per order",
            "price_per_item": "Extra per item",
            "free_shipping_threshold": "Free for orders from",
            "countries": "Ships to",
        }
        help_texts = {
            "description": "A line under the name at checkout: the carrier, the service. Plain text.",
            "price_per_item": "Added for each item in the basket; usually 0.",
            "free_shipping_threshold": "Basket total (USD) from which this method costs nothing. Empty: never free.",
            "countries": "None ticked: offered for every country the store ships to.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "countries": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        }

    field_order = ["title", "delivery_time", "description", "price_per_order", "price_per_item",
                   "free_shipping_threshold", "countries"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].queryset = Country.objects.filter(is_shipping_country=True)
        if self.instance.pk:
            self.initial["title"] = self.instance.title
        for name in ("price_per_order", "price_per_item", "free_shipping_threshold"):
            self.fields[name].min_value = Decimal("0.00")
            self.fields[name].widget.attrs["min"] = "0"
            self.fields[name].validators.append(MinValueValidator(Decimal("0.00")))

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_delivery_time(self):
        value = " ".join(self.cleaned_data["delivery_time"].split())
        if "(" in value or ")" in value:
            raise forms.ValidationError("Leave out the brackets: they are added around it at checkout.")
        return value

    def clean_description(self):
        value = self.cleaned_data["description"].strip()
        if re.search(r"[<>]", value):
            raise forms.ValidationError("Plain text only: no < or > (checkout shows it as it is typed).")
        return value

    def clean(self):
        data = super().clean()
        if "title" in data and "delivery_time" in data:
            name = OrderAndItemCharges.compose_name(data["title"], data["delivery_time"])
            clash = OrderAndItemCharges.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("title", "Another shipping method already has this name and delivery time.")
            self.instance.name = name
        return data

    def save(self, commit=True):
        if not self.instance.pk:
            # The code is what checkout and unpaid payments remember: made once, never changed.
            base = slugify(self.cleaned_data["title"])[:100] or "method"
            code, n = base, 1
            while OrderAndItemCharges.objects.filter(code=code).exists():
                n += 1
                code = f"{base}-{n}"
            self.instance.code = code
        return super().save(commit)
