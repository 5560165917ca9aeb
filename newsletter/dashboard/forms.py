from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from content_pages.models import Article
from newsletter.models import Campaign, CampaignArticle, CampaignProduct, CampaignVideo, Subscriber, Suppression
from newsletter.validators import clean_signup_email

Product = get_model("catalogue", "Product")

AUDIENCE_CHOICES = [
    ("", _("All confirmed subscribers")),
    ("footer", _("Signed up in the footer")),
    ("checkout", _("Signed up at checkout")),
    ("article", _("Signed up on any article")),
]


def audience_choices():
    """The fixed sources, then each article subscribers signed up on."""
    article_sources = (
        Subscriber.objects.filter(source__startswith="article:").order_by("source").values_list("source", flat=True)
    )
    sources = list(article_sources.distinct())
    return [*AUDIENCE_CHOICES, *((s, _("Signed up on the article %(slug)s") % {"slug": s[8:]}) for s in sources)]


class CampaignForm(forms.ModelForm):
    audience = forms.ChoiceField(label=_("Audience"), required=False)

    class Meta:
        model = Campaign
        fields = ["subject", "preview_text", "body", "audience", "utm_campaign"]
        widgets = {
            # Oscar's dashboard turns .wysiwyg textareas into its TinyMCE editor (as for articles);
            # Campaign.save() runs the articles' sanitiser.
            "body": forms.Textarea(attrs={"class": "wysiwyg", "rows": 18}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = audience_choices()
        current = self.instance.audience
        if current and current not in dict(choices):
            choices.append((current, current))  # a source nobody signs up from any more
        self.fields["audience"].choices = choices
        self.fields["subject"].help_text = _("Required before sending. Keep it short: phones show about 40 characters.")


ORDER_WIDGET = forms.NumberInput(attrs={"min": 0, "max": 999, "style": "max-width:6em"})


class ArticleLinkForm(forms.ModelForm):
    article = forms.ModelChoiceField(queryset=Article.objects.published(), label=_("Article"))

    class Meta:
        model = CampaignArticle
        fields = ["sort_order", "article"]
        widgets = {"sort_order": ORDER_WIDGET}


class ProductLinkForm(forms.ModelForm):
    product = forms.ModelChoiceField(
        queryset=Product.objects.browsable().filter(is_public=True).order_by("title"), label=_("Product")
    )

    class Meta:
        model = CampaignProduct
        fields = ["sort_order", "product"]
        widgets = {"sort_order": ORDER_WIDGET}


ArticleCardFormSet = inlineformset_factory(
    Campaign, CampaignArticle, form=ArticleLinkForm, extra=1, can_delete=True
)
VideoCardFormSet = inlineformset_factory(
    Campaign, CampaignVideo, fields=["sort_order", "video"], extra=1, can_delete=True,
    widgets={"sort_order": ORDER_WIDGET},
)
ProductCardFormSet = inlineformset_factory(
    Campaign, CampaignProduct, form=ProductLinkForm, extra=1, can_delete=True
)
CARD_FORMSETS = {
    "article_links": ArticleCardFormSet, "video_links": VideoCardFormSet, "product_links": ProductCardFormSet,
}


class TestSendForm(forms.Form):
    email = forms.CharField(label=_("Send a test to"), strip=False)

    def clean_email(self):
        return clean_signup_email(self.cleaned_data["email"])


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send on"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control mb-2"}, format="%Y-%m-%dT%H:%M"
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("In the store's time zone (%(zone)s).") % {"zone": timezone.get_default_timezone_name()},
    )


class SuppressionForm(forms.Form):
    email = forms.CharField(label=_("Address"), strip=False)

    def clean_email(self):
        return clean_signup_email(self.cleaned_data["email"])


class SuppressionSearchForm(forms.Form):
    q = forms.CharField(label=_("Address contains"), required=False, max_length=254)
    reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[("", _("Any reason")), *Suppression.Reason.choices]
    )
