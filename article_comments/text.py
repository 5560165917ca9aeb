"""Comment text: cleaned once when it comes in, rendered as escaped text with safe autolinks.

Nothing a reader types is ever treated as HTML. The only markup in a rendered comment is what
this module writes: paragraphs, line breaks and links to http(s) addresses.
"""

import re
import unicodedata
from urllib.parse import urlsplit

from django.utils.html import escape
from django.utils.safestring import mark_safe

# An address starts with a scheme we link or with "www."; it runs to whitespace or a character
# that cannot be in a URL we print. "javascript:", "data:" and friends are never matched.
URL_RE = re.compile(r"(?<![\w.@/])(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
TRAILING = ".,;:!?'\"*_"
LINK_REL = "nofollow ugc noopener"
LINK_TEXT_MAX = 60
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text):
    """Normalise what a reader typed before it is stored or counted.

    Format characters (Unicode category Cf: bidi overrides, zero-width spaces and joiners, tag
    characters) are dropped: they make a comment or a link look different from what it is, and
    hide links from the link limit."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = CONTROL_RE.sub("", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def count_links(text):
    return len(URL_RE.findall(text))


def _split_trailing(url):
    """Leave sentence punctuation and an unbalanced closing bracket outside the link."""
    trail = ""
    while url:
        if url[-1] in TRAILING:
            url, trail = url[:-1], url[-1] + trail
        elif url[-1] == ")" and url.count("(") < url.count(")"):
            url, trail = url[:-1], url[-1] + trail
        else:
            break
    return url, trail


def _link(url):
    if not URL_RE.fullmatch(url):
        return escape(url)
    href = url if "://" in url else f"https://{url}"
    parts = urlsplit(href)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return escape(url)
    label = url if len(url) <= LINK_TEXT_MAX else url[: LINK_TEXT_MAX - 1] + "…"
    return f'<a href="{escape(href)}" rel="{LINK_REL}">{escape(label)}</a>'


def render_text(text):
    """Escaped paragraphs and line breaks, with http(s) addresses linked (rel="nofollow ugc noopener")."""
    pieces, pos = [], 0
    for match in URL_RE.finditer(text):
        url, trail = _split_trailing(match.group())
        pieces += [escape(text[pos : match.start()]), _link(url) if url else "", escape(trail)]
        pos = match.end()
    pieces.append(escape(text[pos:]))
    paragraphs = re.split(r"\n{2,}", "".join(pieces).strip())
    return mark_safe("".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs if p.strip()))  # noqa: S308
