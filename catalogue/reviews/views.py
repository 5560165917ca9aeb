from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.reviews import views as oscar_views

from catalogue import product_page


class CreateProductReview(oscar_views.CreateProductReview):
    """Oscar's "write a review" with the store's rules on top of Oscar's (one review per customer
    and product, OSCAR_ALLOW_ANON_REVIEWS, OSCAR_MODERATE_REVIEWS):

    - a shopper who is not signed in is sent to sign in and comes back to the form (Oscar sends
      them to the product page with "You can't leave a review");
    - the form is on the product page itself (review_form.html is the product page with the form
      bound), so an error shows next to what was typed;
    - a second review of the same product sent at the same moment (a double click) is refused like
      any second review, not a 500.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated and not settings.OSCAR_ALLOW_ANON_REVIEWS:
            product = get_object_or_404(self.product_model, pk=kwargs["product_pk"], is_public=True)
            return redirect_to_login(product_review_url(product))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # The form lives on the product page.
        return redirect(product_review_url(self.product))

    def get_context_data(self, **kwargs):
        product = product_page.product_queryset().get(pk=self.product.pk)
        product_page.load(product, self.request)
        self.product = product
        context = super().get_context_data(**kwargs)
        context["review_form"] = context["form"]
        return context

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except IntegrityError:
            messages.warning(self.request, _("You have already reviewed this product!"))
            return redirect(self.product.get_absolute_url())

    def form_invalid(self, form):
        # The product page again, with the errors beside what was typed; 400 says it was refused.
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_success_url(self):
        if self.object.is_approved:
            messages.success(self.request, _("Thank you for reviewing this product."))
        else:
            messages.success(
                self.request, _("Thank you for your review. It will appear here once we have read it.")
            )
        return self.product.get_absolute_url() + "#reviews"


def product_review_url(product):
    return product.get_absolute_url() + "#addreview"
