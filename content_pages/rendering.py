"""Turn a sanitised article body into what the page shows: anchored headings for the table of
contents, and citation markers like [1, p. 1201] as links to the numbered reference list."""

import html as html_lib
import re

from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import slugify

_HEADING = re.compile(r"<h([23])>(.*?)</h\1>", re.S)
_CITE = re.compile(r"\[(\d{1,2})(?:,\s*(pp?\.\s*\d+(?:\s*[\u2013-]\s*\d+)?))?\]")


def render_body(body, citation_count):
    """Return (html, toc, backrefs).

    toc: [{"level": 2, "text": ..., "anchor": ...}]; backrefs: {n: [anchor ids citing n]} so
    the reference list can link back to each place a reference is cited.
    """
    toc, anchors = [], set()

    def heading(match):
        level, inner = match.group(1), match.group(2)
        text = html_lib.unescape(strip_tags(inner)).strip()
        anchor = base = slugify(text) or "section"
        n = 2
        while anchor in anchors:
            anchor, n = f"{base}-{n}", n + 1
        anchors.add(anchor)
        toc.append({"level": int(level), "text": text, "anchor": anchor})
        return f'<h{level} id="{anchor}">{inner}</h{level}>'

    backrefs = {}

    def cite(match):
        number = int(match.group(1))
        if not 1 <= number <= citation_count:
            return match.group(0)
        anchor = f"cite-{number}-{len(backrefs.get(number, [])) + 1}"
        backrefs.setdefault(number, []).append(anchor)
        label = f"{number}, {match.group(2)}" if match.group(2) else str(number)
        return format_html(
            '<a class="citation" id="{}" href="#ref-{}" aria-label="Reference {}">[{}]</a>',
            anchor, number, label, label,
        )

    html = _HEADING.sub(heading, body or "")
    html = _CITE.sub(cite, html)
    return mark_safe(html), toc, backrefs  # noqa: S308 (the body was sanitised with nh3 on save)
