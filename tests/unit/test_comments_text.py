"""Comment text is cleaned on the way in and rendered as escaped text with safe autolinks."""

import time
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from article_comments import tokens
from article_comments.text import clean_text, count_links, render_text


def links(html):
    return [(a["href"], a.text, a["rel"]) for a in BeautifulSoup(html, "html.parser").select("a")]


def test_clean_text_drops_invisible_and_control_characters():
    assert clean_text("  a\u200bb\u202ec\u2066d\ufeffe\x00f\x1b  ") == "abcdef"
    assert clean_text("one\r\ntwo\r\rthree\n\n\n\nfour") == "one\ntwo\n\nthree\n\nfour"
    assert clean_text("Cafe\u0301") == "Café"  # NFC, not NFKC: fullwidth and ligatures stay as typed
    assert clean_text("\uff1cb\uff1e") == "\uff1cb\uff1e"


def test_count_links():
    assert count_links("no links here, example.com does not count") == 0
    assert count_links("https://a.example http://b.example/x www.c.example") == 3
    assert count_links("HTTPS://SHOUT.EXAMPLE") == 1
    assert count_links("javascript:alert(1) data:text/html,x mailto:a@b.example") == 0


def test_render_escapes_everything_and_keeps_line_breaks():
    html = render_text('<b>bold</b> & "quotes"\nnext line\n\nnew paragraph')
    assert html == ("<p>&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;<br>next line</p><p>new paragraph</p>")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("See https://example.com/page.", [("https://example.com/page", "https://example.com/page")]),
        (
            "(https://en.wikipedia.org/wiki/Psoas_(muscle))",
            [("https://en.wikipedia.org/wiki/Psoas_(muscle)", "https://en.wikipedia.org/wiki/Psoas_(muscle)")],
        ),
        ("www.example.com/a?b=1&c=2", [("https://www.example.com/a?b=1&c=2", "www.example.com/a?b=1&c=2")]),
        ('https://example.com/"onmouseover="x', [("https://example.com/", "https://example.com/")]),
        ("javascript:alert(1) and [x](javascript:alert(1))", []),
        ("data:text/html;base64,PHNjcmlwdD4=", []),
        ("https://", []),
        ("mail me at someone@www.example.com", []),
    ],
)
def test_autolinks(text, expected):
    found = links(render_text(text))
    assert [(href, label) for href, label, _ in found] == expected
    assert all(rel == ["nofollow", "ugc", "noopener"] for _, _, rel in found)


def test_long_links_are_shortened_on_screen_only():
    url = "https://example.com/" + "a" * 100
    ((href, label, _),) = links(render_text(url))
    assert href == url and len(label) == 60 and label.endswith("…")


ARTICLE = SimpleNamespace(pk=7)


def test_form_token_age_and_tampering():
    token = tokens.form_token(ARTICLE, issued_at=1_000_000)
    assert tokens.form_token_age(token, ARTICLE) > 1_000_000  # seconds since 1970-01-12
    recent = tokens.form_token(ARTICLE, issued_at=time.time() - 2.5)
    assert 2.5 <= tokens.form_token_age(recent, ARTICLE) < 3  # not rounded up past a 3 s minimum
    with pytest.raises(tokens.BadToken):
        tokens.form_token_age(token, SimpleNamespace(pk=8))
    with pytest.raises(tokens.BadToken):
        tokens.form_token_age(token[:-1] + ("A" if token[-1] != "A" else "B"), ARTICLE)
    with pytest.raises(tokens.BadToken):
        tokens.form_token_age("", ARTICLE)


def test_tokens_are_not_interchangeable():
    comment = SimpleNamespace(pk=3, email="a@example.com")
    with pytest.raises(tokens.BadToken):
        tokens.read_confirmation_token(tokens.unsubscribe_token(comment), max_age=60)
    with pytest.raises(tokens.BadToken):
        tokens.read_unsubscribe_token(tokens.confirmation_token(comment))
    assert tokens.read_unsubscribe_token(tokens.unsubscribe_token(comment)) == (3, "a@example.com")
