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


# ------------------------------------------------------------------------------- invisible format characters
#: Bidirectional controls and other invisible characters a cell could hide (Unicode TR 36, 2.4; CVE-2021-42574).
INVISIBLE = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x200C, 0x200D, 0x200E]]
INVISIBLE += ["\u200f", "\u061c", "\u2060", "\ufeff", "\u00ad", "\U000e0041", "\x00", "\x07", "\x1b"]


def test_a_right_to_left_override_cannot_make_08_show_as_80() -> None:
    from analysis.safe_text import visible_text

    hidden = "On time: \u202e%08\u202c of visits"
    assert visible_text(hidden) == "On time: %08 of visits"
    for render in (markdown_text, html_text, commentary_html):
        assert not set(render(hidden)) & set(INVISIBLE), render.__name__
        assert "%08" in render(hidden)


@given(st.lists(st.one_of(st.text(max_size=8), st.sampled_from(INVISIBLE)), max_size=12))
def test_no_invisible_character_survives_any_renderer(parts: list[str]) -> None:
    import unicodedata

    text = "".join(parts)
    for render in (markdown_text, html_text, commentary_html):
        out = render(text)
        assert not [
            c for c in out if c not in "\t\n\r" and unicodedata.category(c) in {"Cf", "Cc", "Co", "Cs"}
        ]


@given(st.text(alphabet=st.characters(exclude_categories=("Cf", "Cc", "Cs", "Co", "Cn", "Zl", "Zp"))))
def test_visible_text_leaves_visible_text_alone(text: str) -> None:
    from analysis.safe_text import visible_text

    assert visible_text(text) == text


@given(st.text())
def test_input_cells_lose_their_invisible_characters_when_read(text: str) -> None:
    """The cleaning's one text function applies the same sanitiser, so no table stores them either."""
    import unicodedata

    from analysis.inputs.parsing import clean_text

    assert not [c for c in clean_text(text) if unicodedata.category(c) in {"Cf", "Cc", "Co", "Cs", "Cn"}]
