from django import forms

from support.models import PolicyPage


class PolicyPageForm(forms.ModelForm):
    class Meta:
        model = PolicyPage
        fields = ["title", "summary", "body"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            # Oscar's dashboard turns .wysiwyg textareas into its TinyMCE editor.
            "body": forms.Textarea(attrs={"class": "wysiwyg", "rows": 24}),
        }

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError("Please give the page a title.")
        return title

    def clean_summary(self):
        return " ".join(self.cleaned_data["summary"].split())
