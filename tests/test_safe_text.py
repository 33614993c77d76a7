"""Untrusted text stays text (analysis.safe_text): hand-written payloads and generated strings."""

from __future__ import annotations

from html.parser import HTMLParser

import mistune
from hypothesis import given
from hypothesis import strategies as st

from analysis.safe_text import COMMENTARY_TAGS, commentary_html, html_text, markdown_text

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '<iframe src="https://evil.example/"></iframe>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">click</a>',
    "![logo](https://evil.example/pixel.png)",
    "[remote](https://evil.example/)",
    "[protocol-relative](//evil.example/x)",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<div style="background:url(https://evil.example/x)">x</div>',
    "<object data=https://evil.example/x></object><embed src=https://evil.example/x>",
    "<form action=https://evil.example/><button>go</button></form>",
]


class _Elements(HTMLParser):
    """The elements and attributes of an HTML fragment, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def active_content(html: str) -> list[str]:
    """Anything in ``html`` that could run or load: a tag off the allow-list, an ``on*`` handler, a URL leaving
    the page."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    problems = []
    for tag, attrs in parser.found:
        if tag not in COMMENTARY_TAGS:
            problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"src", "style", "srcset", "action", "formaction"}:
                problems.append(f"{tag} {name}")
            if name == "href" and not (value or "").startswith("#"):
                problems.append(f"{tag} href={value}")
    return problems


def test_commentary_keeps_markdown_formatting() -> None:
    html = commentary_html("Timeliness **improved** to *81%*.\n\n- one\n- two")
    assert "<strong>improved</strong>" in html and "<em>81%</em>" in html
    assert "<ul>" in html and "<li>one</li>" in html


def test_each_payload_in_commentary_is_inert() -> None:
    for payload in PAYLOADS:
        html = commentary_html(f"Before {payload} after")
        assert active_content(html) == [], (payload, html)
        assert "Before" in html and "after" in html


def test_raw_html_in_commentary_is_shown_as_text() -> None:
    assert commentary_html("<b>bold?</b>") == "<p>&lt;b&gt;bold?&lt;/b&gt;</p>"


def test_links_inside_the_page_survive_and_others_lose_their_target() -> None:
    assert 'href="#theme-1"' in commentary_html("[see theme 1](#theme-1)")
    html = commentary_html("[gov](https://www.gov.uk/)")
    assert "gov" in html and "href" not in html


def test_markdown_text_shows_exactly_what_was_typed() -> None:
    typed = "<b>Off track</b> *see* [note](javascript:x) #2 _a_"
    rendered = mistune.html(markdown_text(typed))
    assert rendered.strip() == f"<p>{html_text(typed)}</p>".replace("&quot;", '"').replace("&#x27;", "'")


def test_markdown_text_is_one_line() -> None:
    assert markdown_text("line one\r\n\n# heading\nline") == r"line one \# heading line"


@given(st.text(max_size=200))
def test_markdown_text_never_carries_html_or_markdown_structure(text: str) -> None:
    out = markdown_text(text)
    assert "<" not in out and ">" not in out and "\n" not in out
    assert active_content(str(mistune.html(f"- {out}"))) == []


@given(st.lists(st.sampled_from([*PAYLOADS, "text", "**b**", "\n\n", " ", "<", ">", "(", ")"]), max_size=12))
def test_commentary_from_any_mixture_of_payloads_is_inert(parts: list[str]) -> None:
    assert active_content(commentary_html("".join(parts))) == []
