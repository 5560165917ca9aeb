"""Fulfilment > Shipping charges: list, add, edit and remove the methods checkout offers."""

from django.contrib import messages
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.views import generic
from oscar.core.loading import get_class, get_model

from shop.apps.shipping.dashboard.forms import ShippingMethodForm

OrderAndItemCharges = get_model("shipping", "OrderAndItemCharges")
Repository = get_class("shipping.repository", "Repository")

LIST_URL = reverse_lazy("dashboard:shipping-method-list")


class MethodListView(generic.ListView):
    template_name = "shipping/dashboard/method_list.html"
    context_object_name = "methods"

    def get_queryset(self):
        # Exactly what checkout offers, in the order it offers them.
        return Repository().get_available_shipping_methods(basket=None)


class MethodCreateView(generic.CreateView):
    model = OrderAndItemCharges
    form_class = ShippingMethodForm
    template_name = "shipping/dashboard/method_form.html"
    success_url = LIST_URL

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, f"Added \u201c{self.object.name}\u201d: checkout offers it from now on.")
        return response


class MethodUpdateView(generic.UpdateView):
    model = OrderAndItemCharges
    form_class = ShippingMethodForm
    template_name = "shipping/dashboard/method_form.html"
    success_url = LIST_URL
    context_object_name = "method"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, f"Saved \u201c{self.object.name}\u201d: checkout offers it as it is now.")
        return response


class MethodDeleteView(generic.DeleteView):
    model = OrderAndItemCharges
    template_name = "shipping/dashboard/method_delete.html"
    success_url = LIST_URL
    context_object_name = "method"

    def form_valid(self, form):
        if OrderAndItemCharges.objects.count() <= 1:
            messages.error(self.request, "This is the last shipping method: checkout needs at least one.")
            return redirect(LIST_URL)
        name = self.object.name
        try:
            response = super().form_valid(form)
        except ProtectedError:
            messages.error(self.request, f"\u201c{name}\u201d is still in use and cannot be removed.")
            return redirect(LIST_URL)
        messages.success(self.request, f"Removed \u201c{name}\u201d: checkout no longer offers it.")
        return response
