from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.reviews import forms as oscar_forms

# A review is a few paragraphs; a megabyte pasted in is refused with a message, not stored.
MAX_BODY_LENGTH = 5000
MAX_TITLE_LENGTH = 120


class ProductReviewForm(oscar_forms.ProductReviewForm):
    """Oscar's form with a body of a sensible length, and the score as radio buttons (1 to 5 stars:
    Oscar's choices include 0, which no shopper means)."""

    score = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(n, n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5 stars.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].label = _("Headline")
        self.fields["title"].max_length = MAX_TITLE_LENGTH
        self.fields["title"].validators.append(MaxLengthValidator(MAX_TITLE_LENGTH))
        self.fields["title"].widget.attrs.update({"maxlength": MAX_TITLE_LENGTH, "autocomplete": "off"})
        self.fields["title"].error_messages["required"] = _("Give your review a headline.")
        body = self.fields["body"]
        body.label = _("Your review")
        body.max_length = MAX_BODY_LENGTH
        body.validators.append(MaxLengthValidator(MAX_BODY_LENGTH))
        body.widget.attrs.update({"maxlength": MAX_BODY_LENGTH, "rows": 6})
        body.error_messages["required"] = _("Write a few words about the product.")
        body.help_text = _("What did you use it for, and how did it go?")

    def clean_title(self):
        title = (self.cleaned_data.get("title") or "").strip()
        if not title:
            raise forms.ValidationError(_("Give your review a headline."))
        return title

    def clean_body(self):
        body = (self.cleaned_data.get("body") or "").strip()
        if not body:
            raise forms.ValidationError(_("Write a few words about the product."))
        return body
