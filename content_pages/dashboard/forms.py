from django import forms
from django.forms import inlineformset_factory
from django.utils.text import slugify

from ..models import Article, ArticleProduct, ArticleVideo, Citation, TutorialVideo, VideoPlacement


class ArticleForm(forms.ModelForm):
    slug = forms.SlugField(required=False, max_length=200, help_text="Leave empty to make it from the title.")

    class Meta:
        model = Article
        fields = [
            "title", "slug", "summary", "body", "hero_image", "hero_alt", "author",
            "status", "publish_at", "last_reviewed", "seo_title", "seo_description",
        ]
        widgets = {
            # Oscar's dashboard turns .wysiwyg textareas into its TinyMCE editor.
            "body": forms.Textarea(attrs={"class": "wysiwyg", "rows": 24}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "publish_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "last_reviewed": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("title"):
            cleaned["slug"] = slugify(cleaned["title"])[:200]
            if not cleaned["slug"]:
                self.add_error("slug", "Choose an address made of letters, digits and hyphens.")
        return cleaned

    def clean_hero_image(self):
        image = self.cleaned_data.get("hero_image")
        if image and hasattr(image, "size") and image.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The image is larger than 5 MB; please upload a smaller one.")
        return image


ORDER_WIDGET = forms.NumberInput(attrs={"min": 0, "max": 999})

CitationFormSet = inlineformset_factory(
    Article, Citation, fields=["sort_order", "authors", "title", "edition", "publisher", "year", "url"],
    extra=1, can_delete=True, widgets={"sort_order": ORDER_WIDGET},
)
ArticleProductFormSet = inlineformset_factory(
    Article, ArticleProduct, fields=["sort_order", "product", "cta_text"], extra=1, can_delete=True,
    widgets={"sort_order": ORDER_WIDGET},
)
ArticleVideoFormSet = inlineformset_factory(
    Article, ArticleVideo, fields=["sort_order", "video"], extra=1, can_delete=True,
    widgets={"sort_order": ORDER_WIDGET},
)


class VideoForm(forms.ModelForm):
    placements = forms.MultipleChoiceField(
        choices=VideoPlacement.Placement.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Show this video beside these shopping steps.",
    )

    class Meta:
        model = TutorialVideo
        fields = ["title", "url", "poster", "duration", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["placements"] = list(self.instance.placements.values_list("placement", flat=True))

    def save_placements(self):
        wanted = set(self.cleaned_data["placements"])
        self.instance.placements.exclude(placement__in=wanted).delete()
        have = set(self.instance.placements.values_list("placement", flat=True))
        VideoPlacement.objects.bulk_create(
            [VideoPlacement(video=self.instance, placement=p, sort_order=99) for p in wanted - have]
        )


class ArticleSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Title contains")
    status = forms.ChoiceField(
        required=False,
        choices=[("", "All"), ("draft", "Draft"), ("scheduled", "Scheduled"), ("live", "Published")],
    )
