import pytest
from bs4 import BeautifulSoup

from content_pages.rendering import render_body
from content_pages.sanitize import sanitize_html

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="  javascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "<svg onload=alert(1)><circle r=10></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)">text</p>',
    "<object data=x></object><embed src=x>",
    '<form action="https://evil.example"><input name=a></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a href="vbscript:msgbox(1)">x</a>',
    "<<script>script>alert(1)<</script>/script>",
    '<img src="x" alt="a" onmouseover="alert(1)">',
    "<style>body{display:none}</style>",
]


def is_inert(html):
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        if tag.name in {"script", "style", "iframe", "object", "embed", "svg", "math", "form", "input", "body"}:
            return False
        for attr, value in tag.attrs.items():
            if attr.startswith("on") or attr == "style":
                return False
            if attr in ("href", "src") and str(value).strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                return False
    return True


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_xss_payloads_come_out_inert(payload):
    cleaned = sanitize_html(f"<p>before</p>{payload}<p>after</p>")
    assert is_inert(cleaned), cleaned
    assert "<p>before</p>" in cleaned  # the text around an attack is kept


def test_allowed_markup_survives():
    html = (
        '<h2>Title</h2><h3>Sub</h3><ul><li>a</li></ul><ol><li>b</li></ol><blockquote><p>q</p></blockquote>'
        '<figure><img src="/media/x.png" alt="x"><figcaption>cap</figcaption></figure>'
        '<p><a href="https://example.com/page">link</a> <strong>b</strong> <em>i</em></p>'
    )
    cleaned = sanitize_html(html)
    soup = BeautifulSoup(cleaned, "html.parser")
    for name in ("h2", "h3", "ul", "ol", "blockquote", "figure", "figcaption", "img", "a", "strong", "em"):
        assert soup.find(name), name
    assert soup.a["href"] == "https://example.com/page"
    assert "noopener" in soup.a["rel"]


def test_render_body_builds_toc_and_citation_links():
    body = "<h2>Intro</h2><p>Claim [1, p. 1201] and [2] and [9].</p><h3>Detail</h3><h2>Intro</h2><p>Again [1].</p>"
    html, toc, backrefs = render_body(body, citation_count=2)
    assert [(t["level"], t["anchor"]) for t in toc] == [(2, "intro"), (3, "detail"), (2, "intro-2")]
    soup = BeautifulSoup(html, "html.parser")
    assert [h["id"] for h in soup.find_all(["h2", "h3"])] == ["intro", "detail", "intro-2"]
    links = soup.select("a.citation")
    assert [a["href"] for a in links] == ["#ref-1", "#ref-2", "#ref-1"]
    assert links[0].text == "[1, p. 1201]"
    assert backrefs == {1: ["cite-1-1", "cite-1-2"], 2: ["cite-2-1"]}
    assert "[9]" in soup.text  # no reference 9: left as typed, not a dead link


def test_toc_text_is_plain_text_so_the_template_escapes_it_once():
    html, toc, _ = render_body("<h2>A &amp; B <em>now</em></h2>", 0)
    assert toc[0]["text"] == "A & B now"
    assert 'id="a-b-now"' in html
