"""Staff pages: the list of store pages and the form that edits one page's words. Access is
checked by SupportDashboardConfig's permissions_map (Oscar's dashboard decorator)."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from support import content
from support.models import PolicyPage

from .forms import PolicyPageForm


class PageListView(TemplateView):
    template_name = "support/dashboard/page_list.html"

    def get_context_data(self, **kwargs):
        saved = {page.slug: page for page in PolicyPage.objects.all()}
        pages = [saved.get(slug) or content.page(slug) for slug in content.DEFAULTS]
        return super().get_context_data(pages=pages, **kwargs)


class PageEditView(TemplateView):
    """Edits the saved page, or saves the starting text as the first version of one never saved."""

    template_name = "support/dashboard/page_form.html"

    def get_page(self):
        if self.kwargs["slug"] not in content.DEFAULTS:
            raise Http404("No such store page.")
        return content.page(self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        return self.render(PolicyPageForm(instance=self.get_page()))

    def post(self, request, *args, **kwargs):
        form = PolicyPageForm(request.POST, instance=self.get_page())
        if not form.is_valid():
            messages.error(request, "Nothing was saved: please correct the fields marked below.")
            return self.render(form, status=400)
        page = form.save()
        messages.success(request, f"“{page.title}” saved. The page shows it now.")
        return HttpResponseRedirect(reverse("support-dashboard:store-page-list"))

    def render(self, form, status=200):
        context = self.get_context_data(form=form, page=form.instance)
        return self.render_to_response(context, status=status)
