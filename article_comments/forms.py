from django import forms

from . import conf, tokens
from .models import Comment
from .text import clean_text, count_links

TOO_OLD = "This form was open for too long (or was changed on the way). Your text is still here: please send it again."
TOO_FAST = "That was quick! Please take a few seconds to check your comment, then send it again."
HONEYPOT_HIT = (
    "Your comment was held because a field that only spam robots fill in had text in it "
    "(sometimes a browser's autofill does that). Please send it again."
)


class CommentForm(forms.Form):
    """The article page's form. Signed-in readers post under their account's name and email,
    so those two fields exist only for guests."""

    name = forms.CharField(
        label="Name",
        max_length=80,
        help_text="Shown with your comment.",
        error_messages={"required": "Please enter your name."},
    )
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="Never shown. We email you a link to confirm your comment.",
        error_messages={
            "required": "Please enter your email address.",
            "invalid": "Please enter a valid email address.",
        },
    )
    body = forms.CharField(
        label="Your comment or question",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Please write a comment."},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Filled in the template with a fresh value each time the form is shown.
    ts = forms.CharField(required=False, widget=forms.HiddenInput)
    # The honeypot: hidden from people by CSS, irresistible to form-filling robots.
    website = forms.CharField(label="Leave this field empty", required=False)

    def __init__(self, *args, article, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.user = user
        self.parent_comment = None
        if user.is_authenticated:
            del self.fields["name"], self.fields["email"]
        max_length = conf.get("COMMENTS_MAX_LENGTH")
        self.fields["body"].widget.attrs["maxlength"] = max_length
        self.fields["body"].help_text = (
            f"Plain text, up to {max_length} characters and {conf.get('COMMENTS_MAX_LINKS')} links. "
            "Comments appear after a moderator reads them."
        )
        self.fields["website"].widget.attrs.update(autocomplete="off", tabindex="-1")

    @property
    def honeypot_hit(self):
        return bool(self.data.get("website", "").strip())

    @property
    def is_reply(self):
        return self.parent_comment is not None

    def clean_name(self):
        name = clean_text(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("Please enter your name.")
        return name

    def clean_body(self):
        body = clean_text(self.cleaned_data["body"])
        if not body:
            raise forms.ValidationError("Please write a comment.")
        max_length, max_links = conf.get("COMMENTS_MAX_LENGTH"), conf.get("COMMENTS_MAX_LINKS")
        if len(body) > max_length:
            raise forms.ValidationError(f"Please keep your comment under {max_length} characters (it has {len(body)}).")
        links = count_links(body)
        if links > max_links:
            raise forms.ValidationError(
                f"Please include at most {max_links} links (your comment has {links}): "
                "links are where spam hides, so we limit them."
            )
        return body

    def clean_parent(self):
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        parent = Comment.objects.approved().filter(pk=parent_id, article=self.article).select_related("parent").first()
        if parent is None:
            raise forms.ValidationError("The comment you are replying to is no longer available.")
        self.parent_comment = parent.thread
        return self.parent_comment

    def clean(self):
        cleaned = super().clean()
        try:
            age = tokens.form_token_age(self.data.get("ts", ""), self.article)
        except tokens.BadToken:
            raise forms.ValidationError(TOO_OLD, code="bad_timestamp") from None
        if age > conf.get("COMMENTS_FORM_MAX_AGE"):
            raise forms.ValidationError(TOO_OLD, code="bad_timestamp")
        if age < conf.get("COMMENTS_MIN_SUBMIT_SECONDS"):
            raise forms.ValidationError(TOO_FAST, code="too_fast")
        return cleaned


class StaffReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Please write a reply."},
    )

    def clean_body(self):
        body = clean_text(self.cleaned_data["body"])
        if not body:
            raise forms.ValidationError("Please write a reply.")
        return body
