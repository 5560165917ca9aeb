from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from shop.security import client_ip

from . import content, forms, policy, services, throttling, tokens


class PolicyPageView(TemplateView):
    """A support page: the words staff wrote (PolicyPage) around the live figures from
    support.policy, so the page says what checkout charges."""

    slug = None

    def get_template_names(self):
        return [f"support/{self.slug}.html"]

    def get_context_data(self, **kwargs):
        rates = policy.shipping_rates() if self.slug in ("shipping", "faq") else []
        return super().get_context_data(
            page=content.page(self.slug),
            rates=rates,
            free_shipping_over=policy.free_shipping_over(rates) if rates else None,
            returns=policy.return_policy(),
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")
class ContactView(View):
    """The contact form. Any problem shows the form again with what was typed and a 4xx; a
    message that passes is emailed to staff and the shopper sees the thank-you page."""

    template_name = "support/contact.html"

    def get(self, request):
        subject = request.GET.get("subject", "")
        initial = {"subject": subject} if subject in dict(forms.SUBJECTS) else {}
        if request.user.is_authenticated:
            initial.update(name=request.user.get_full_name(), email=request.user.email)
        return self.show(forms.ContactForm(initial=initial))

    def post(self, request):
        # A body over DATA_UPLOAD_MAX_MEMORY_SIZE never gets here: Django answers 400 (RequestDataTooBig).
        form = forms.ContactForm(request.POST)
        valid = form.is_valid()
        if throttling.ip_limited(request):
            return self.show(form, status=429, error=throttling.TOO_MANY)
        if form.honeypot_hit:
            return self.show(form, status=400, error=forms.HONEYPOT_HIT)
        if not valid:
            return self.show(form, status=400)
        if throttling.email_limited(request, form.cleaned_data["email"]):
            return self.show(form, status=429, error=throttling.TOO_MANY)
        services.send_contact_message(
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            subject=form.cleaned_data["subject"],
            subject_label=form.subject_label(),
            order_number=form.cleaned_data["order_number"],
            message=form.cleaned_data["message"],
            ip_address=client_ip(request),
        )
        return redirect("support:contact-thanks")

    def show(self, form, status=200, error=""):
        context = {
            "page": content.page("contact"),
            "form": form,
            "form_token": tokens.form_token(),
            "error": error,
            "returns": policy.return_policy(),
        }
        return render(self.request, self.template_name, context, status=status)


def contact_thanks(request):
    return render(request, "support/contact_thanks.html", {"page": content.page("contact")})
