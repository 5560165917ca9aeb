from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Subscriber
from .validators import clean_signup_email, is_valid_source


class SignupForm(forms.Form):
    # strip=False: a line break must be refused, not silently trimmed off the end.
    email = forms.CharField(label=_("Your email address"), strip=False, required=False)
    source = forms.CharField(widget=forms.HiddenInput, required=False)
    consent_version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def clean_email(self):
        return clean_signup_email(self.cleaned_data["email"])

    def clean_source(self):
        source = self.cleaned_data["source"] or "footer"
        if not is_valid_source(source):
            raise forms.ValidationError(_("This form is out of date. Reload the page and try again."), code="source")
        return source

    def safe_source(self):
        """The posted source if it is a real one, for re-rendering the form without carrying a bad value."""
        source = self.data.get("source", "")
        return source if is_valid_source(source) else "footer"

    def first_error(self):
        for field in ("email", "source", "consent_version"):
            if field in self.errors:
                return self.errors[field][0]
        return self.non_field_errors()[0] if self.non_field_errors() else ""


class SubscriberSearchForm(forms.Form):
    SOURCE_CHOICES = [
        ("", _("Any source")),
        ("footer", _("Footer")),
        ("article", _("Any article")),
        ("checkout", _("Checkout")),
    ]

    q = forms.CharField(label=_("Email contains"), required=False, max_length=254)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Subscriber.Status.choices]
    )
    source = forms.CharField(label=_("Source"), required=False, widget=forms.Select(choices=SOURCE_CHOICES))

    def __init__(self, *args, article_sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].widget.choices = [*self.SOURCE_CHOICES, *((s, s) for s in article_sources)]

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        return queryset.search(query=data["q"].strip(), status=data["status"], source=data["source"])
