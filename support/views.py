from django.shortcuts import render
from django.views.generic import TemplateView

from . import content, policy


class PolicyPageView(TemplateView):
    """A support page: the words staff wrote (PolicyPage) around the live figures."""

    slug = None

    def get_template_names(self):
        return [f"support/{self.slug}.html"]

    def get_context_data(self, **kwargs):
        rates = policy.shipping_rates() if self.slug in ("shipping", "faq", "returns") else []
        return super().get_context_data(
            page=content.page(self.slug),
            rates=rates,
            free_shipping_over=policy.free_shipping_over(rates) if rates else None,
            returns=policy.return_policy(),
            **kwargs,
        )


class ContactView(TemplateView):
    template_name = "support/contact.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(page=content.page("contact"), returns=policy.return_policy(), **kwargs)


def contact_thanks(request):
    return render(request, "support/contact_thanks.html", {"page": content.page("contact")})
