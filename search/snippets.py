"""A result's excerpt around the first word searched for, with the words marked."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

SUFFIXES = ("ing", "es", "ed", "s")  # PostgreSQL matched "massages" to "massage": mark that too


def _pattern(terms):
    stems = set()
    for term in terms:
        stems.add(term)
        for suffix in SUFFIXES:
            if term.endswith(suffix) and len(term) - len(suffix) >= 4:
                stems.add(term[: -len(suffix)])
    if not stems:
        return None
    alternatives = "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})\w*", re.IGNORECASE)


def excerpt(text, terms, length=200):
    """Up to `length` characters of plain `text` around the first match, HTML-escaped, matches in <mark>."""
    text = " ".join((text or "").split())
    pattern = _pattern(terms)
    match = pattern.search(text) if pattern else None
    start = 0
    if match and match.start() > length // 3:
        start = text.rfind(" ", 0, match.start() - length // 3) + 1
    end = start + length
    if end < len(text):
        space = text.rfind(" ", start, end + 1)  # cut between words
        end = space if space > start else end
    piece = text[start:end]
    html, last = [], 0
    for found in pattern.finditer(piece) if pattern else ():
        html.append(escape(piece[last:found.start()]))
        html.append(f"<mark>{escape(found.group())}</mark>")
        last = found.end()
    html.append(escape(piece[last:]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(html) + suffix)  # every piece of text is escaped above
