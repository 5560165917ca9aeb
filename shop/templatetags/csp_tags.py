from django import template

from shop.security import allow_video_frames

register = template.Library()


@register.simple_tag(takes_context=True)
def csp_allow_video_frames(context):
    """Lets this page frame the video players (YouTube no-cookie, Vimeo); see shop.security."""
    request = context.get("request")
    if request is not None:
        allow_video_frames(request)
    return ""
