import re

from django import forms

from article_comments.text import clean_text

from . import conf, tokens

TOO_OLD = (
    "This form was open for too long (or was changed on the way). Your message is still here: please send it again."
)
TOO_FAST = "That was quick! Please take a few seconds to check your message, then send it again."
HONEYPOT_HIT = (
    "Your message was not sent because a field that only spam robots fill in had text in it "
    "(sometimes a browser's autofill does that). Please send it again."
)
ONE_LINE = "Please keep this on one line."

SUBJECTS = [
    ("order", "An order I placed"),
    ("return", "Return or refund"),
    ("product", "Using the QL Claw"),
    ("business", "Wholesale, clinics and press"),
    ("other", "Something else"),
]

# Anything that could end an email header line, or hide in one.
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_ORDER_NUMBER = re.compile(r"^#?\s*([A-Za-z0-9-]{1,32})$")


def one_line(value):
    """A value that ends up in an email header (the name in Reply-To and the subject): refused,
    not silently joined, if it has a line break, so nothing the customer types can add a header."""
    if _LINE_BREAKS.search(value):
        raise forms.ValidationError(ONE_LINE, code="line_break")
    return value.strip()


class ContactForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=80,
        strip=False,
        error_messages={
            "required": "Please enter your name.",
            "max_length": "Please keep your name under 80 characters.",
        },
    )
    email = forms.CharField(
        label="Email",
        max_length=254,
        strip=False,
        help_text="We reply to this address.",
        widget=forms.EmailInput,
        error_messages={"required": "Please enter your email address, so we can reply."},
    )
    order_number = forms.CharField(
        label="Order number (optional)",
        max_length=40,
        required=False,
        help_text="In your order confirmation email, e.g. 100023.",
    )
    subject = forms.ChoiceField(
        label="What is it about?",
        choices=[("", "Choose a topic"), *SUBJECTS],
        error_messages={
            "required": "Please choose what your message is about.",
            "invalid_choice": "Please choose one of the topics in the list.",
        },
    )
    message = forms.CharField(
        label="Your message",
        widget=forms.Textarea(attrs={"rows": 7}),
        error_messages={"required": "Please write your message."},
    )
    # Filled in the template with a fresh value each time the form is shown.
    ts = forms.CharField(required=False, widget=forms.HiddenInput)
    # The honeypot: hidden from people by CSS, irresistible to form-filling robots.
    website = forms.CharField(label="Leave this field empty", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        max_length = conf.get("SUPPORT_MESSAGE_MAX_LENGTH")
        self.fields["message"].widget.attrs["maxlength"] = max_length
        self.fields["message"].help_text = f"Plain text, up to {max_length} characters."

    @property
    def honeypot_hit(self):
        return bool(str(self.data.get("website", "")).strip())

    def clean_name(self):
        name = clean_text(one_line(self.cleaned_data["name"]))
        if not name:
            raise forms.ValidationError("Please enter your name.")
        return name

    def clean_email(self):
        email = one_line(self.cleaned_data["email"])
        if not email:
            raise forms.ValidationError("Please enter your email address, so we can reply.")
        try:
            forms.EmailField().clean(email)
        except forms.ValidationError:
            raise forms.ValidationError("Please enter a valid email address, like name@example.com.") from None
        return email

    def clean_order_number(self):
        value = one_line(self.cleaned_data["order_number"])
        if not value:
            return ""
        match = _ORDER_NUMBER.match(value)
        if not match:
            raise forms.ValidationError("An order number has only digits, letters and dashes, e.g. 100023.")
        return match.group(1)

    def clean_message(self):
        message = clean_text(self.cleaned_data["message"])
        if not message:
            raise forms.ValidationError("Please write your message.")
        max_length = conf.get("SUPPORT_MESSAGE_MAX_LENGTH")
        if len(message) > max_length:
            raise forms.ValidationError(
                f"Please keep your message under {max_length} characters (it has {len(message)}). "
                "For long details or photos, send the essentials and we'll reply with where to send the rest.",
                code="max_length",
            )
        return message

    def clean(self):
        cleaned = super().clean()
        try:
            age = tokens.form_token_age(self.data.get("ts", ""))
        except tokens.BadToken:
            raise forms.ValidationError(TOO_OLD, code="bad_timestamp") from None
        if age > conf.get("SUPPORT_FORM_MAX_AGE"):
            raise forms.ValidationError(TOO_OLD, code="bad_timestamp")
        if age < conf.get("SUPPORT_MIN_SUBMIT_SECONDS"):
            raise forms.ValidationError(TOO_FAST, code="too_fast")
        return cleaned

    def subject_label(self):
        return dict(SUBJECTS).get(self.cleaned_data.get("subject"), "Message")
