"""A result's excerpt: around the first match, escaped, the words searched for marked."""

from search.snippets import excerpt


def test_the_words_are_marked():
    assert str(excerpt("Release the psoas at home", ("psoas",))) == "Release the <mark>psoas</mark> at home"


def test_text_is_escaped_before_marking():
    html = str(excerpt("<b>psoas</b> & <script>alert(1)</script>", ("psoas", "script")))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;<mark>script</mark>&gt;" in html
    assert "&amp;" in html


def test_a_match_far_into_the_text_is_shown_with_an_ellipsis():
    text = "word " * 200 + "iliacus muscle " + "more " * 200
    html = str(excerpt(text, ("iliacus",), length=120))
    assert "<mark>iliacus</mark>" in html
    assert html.startswith("… ") and html.endswith(" …")
    assert len(html) < 200


def test_a_stemmed_match_is_marked_too():
    assert "<mark>massage</mark>" in str(excerpt("A gentle massage tool", ("massages",)))


def test_no_match_gives_the_start_of_the_text():
    assert str(excerpt("First words of the text", ("zzz",), length=11)) == "First words …"
