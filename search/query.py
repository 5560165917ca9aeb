"""What a shopper typed, made safe to search for: the one place that caps a query.

Any text becomes a list of at most MAX_TERMS words and MAX_LENGTH characters, never an error;
only input longer than MAX_INPUT characters is refused (the view answers 400 with a message).
Control characters (NUL among them, which PostgreSQL refuses in a string) and symbols are
dropped, so what reaches the database is words, nothing else.
"""

import re
import unicodedata
from dataclasses import dataclass

MAX_INPUT = 1000  # characters accepted at all; a longer query string is refused
MAX_LENGTH = 200  # characters of words searched for
MAX_TERMS = 10  # words searched for; every one must match

# A word: letters and digits, joined by inner hyphens, apostrophes or dots ("QLC-CLAW-01", "don't").
WORD = re.compile(r"[^\W_]+(?:[-'.][^\W_]+)*")


class QueryTooLong(ValueError):
    pass


@dataclass(frozen=True)
class Query:
    terms: tuple
    shortened: bool = False  # words were left out to keep within the caps

    @property
    def text(self):
        return " ".join(self.terms)

    def __bool__(self):
        return bool(self.terms)


def parse(raw):
    raw = raw or ""
    if len(raw) > MAX_INPUT:
        raise QueryTooLong(f"A search can be at most {MAX_INPUT} characters long.")
    printable = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in raw)
    words = WORD.findall(unicodedata.normalize("NFKC", printable))
    terms, length = [], 0
    for word in words:
        word = word.lower()[:MAX_LENGTH]
        if word in terms:
            continue
        if len(terms) == MAX_TERMS or length + len(word) > MAX_LENGTH:
            return Query(tuple(terms), shortened=True)
        terms.append(word)
        length += len(word) + 1
    return Query(tuple(terms))
