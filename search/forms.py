from django import forms

from .query import MAX_INPUT


class SearchForm(forms.Form):
    """The header's search box (Oscar's context processor search_form puts it on every page)."""

    q = forms.CharField(
        label="Search the store",
        required=False,
        max_length=MAX_INPUT,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search", "class": "form-control"}),
    )
