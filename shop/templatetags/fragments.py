"""{% fragment %} and {% uses %}: cached template fragments (shop/fragments.py, docs/page-cache.md).

    {% load fragments %}
    {% fragment "name" vary1 vary2 ... %} ... {% endfragment %}

The name is a string literal or variable; the vary values are template variables (ids, pks,
strings, model instances: shop.fragments.vary_repr). Only markup that is the same for every
shopper given those values belongs inside: no price of a basket, no user's name or menu, no form
bound to a user (the CSRF token and the CSP nonce are the exceptions: filled in on every hit).

    {% uses "product" product.pk %}   -> the tag "product:<pk>"

names a page-cache tag the block depends on but does not load inside itself (a row the view
loaded before the block, facts read from a cache). Outside a fragment it tells the page cache.
"""

from django import template
from django.db.models import prefetch_related_objects

from shop import fragments
from shop.pagedeps import used

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, name, vary, nodelist):
        self.name = name
        self.vary = vary
        self.nodelist = nodelist

    def render(self, context):
        name = self.name.resolve(context)
        vary = [value.resolve(context) for value in self.vary]
        request = context.get("request")
        return fragments.render(request, str(name), vary, lambda: self.nodelist.render(context))


@register.tag("fragment")
def do_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a name: {{% fragment \"name\" var ... %}}")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]], nodelist)


@register.simple_tag
def uses(*parts):
    """Name a tag of what the enclosing fragment (or page) shows: the parts joined with ":"."""
    used(":".join(str(part) for part in parts))
    return ""


@register.simple_tag
def prefetch(objects, *lookups):
    """prefetch_related_objects(objects, *lookups): inside a fragment, what only it shows is fetched
    only when it renders (a hit asks nothing)."""
    objects = list(objects)
    if objects:
        prefetch_related_objects(objects, *lookups)
    return ""
