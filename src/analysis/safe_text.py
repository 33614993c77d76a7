"""Untrusted text is text: every cell of an input, and the analyst's commentary, written safely into a report.

A report is e-mailed to councillors and opened in a browser: nothing from an input may become active content
(script, event handlers, ``javascript:`` links, frames) or load anything from elsewhere (remote images, styles).

- :func:`commentary_html` renders the commentary's Markdown with raw HTML escaped (mistune) and then cleans the
  result to a short allow-list of tags with nh3 (the Ammonia sanitiser): no images, and links only to places in
  the same page.
- :func:`markdown_text` makes a tracker, scorecard or Annex A string safe inside Markdown that the report builds
  (no HTML, no Markdown syntax: the reader sees the characters typed in the cell).
- :func:`html_text` escapes a string for HTML.
- :func:`visible_text` (used by all three, and by :func:`analysis.inputs.parsing.clean_text` for every input cell)
  removes invisible format characters: bidirectional overrides, embeddings and isolates (U+202A-U+202E,
  U+2066-U+2069), marks (U+200E, U+200F, U+061C), zero-width characters, the byte-order mark, soft hyphens,
  tag characters and control characters; line and paragraph separators become line breaks. A cell
  ``"\u202e%08"`` displays as ``80%``; after it, the reader sees ``%08``, the characters that are there.

Notes
-----
Unicode Technical Report #36 (Unicode Security Considerations), 2.4 "Bidirectional text spoofing"; CVE-2021-42574
("Trojan Source"); Unicode general category Cf (format characters). OWASP Cross Site Scripting Prevention Cheat
Sheet, rules 1 (HTML-escape untrusted data in element content) and
6 (sanitise HTML markup with a library designed for the job).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from typing import Any

import nh3

#: Tags the commentary may use once rendered from Markdown: text structure only.
COMMENTARY_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "b",
        "i",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h3",
        "h4",
        "h5",
        "h6",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
#: Attributes kept on those tags; links keep ``href`` only when it points inside the page (``#...``).
COMMENTARY_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
#: Markdown characters escaped with a backslash in :func:`markdown_text` (CommonMark "Backslash escapes").
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:@])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
#: Characters kept although invisible or control: tab, line feed and carriage return (the text's own layout).
_LAYOUT_CONTROLS = frozenset("\t\n\r")
#: Line and paragraph separators (categories Zl, Zp): read as the line break they mean.
_SEPARATORS = {"\u2028": "\n", "\u2029": "\n"}


def _invisible(character: str) -> bool:
    """A format (Cf: bidi controls, zero-width characters, BOM, soft hyphen, tags), control (Cc), surrogate (Cs)
    or private-use (Co) character, or a noncharacter (Cn): nothing a reader can see, or can trust to mean itself."""
    return character not in _LAYOUT_CONTROLS and unicodedata.category(character) in {
        "Cf",
        "Cc",
        "Cs",
        "Co",
        "Cn",
    }


def visible_text(value: object) -> str:
    """``value`` as text without invisible format and control characters (see the module notes).

    Examples
    --------
    >>> visible_text("\u202e%08\u202c done")
    '%08 done'
    """
    text = "" if value is None else str(value)
    if text.isascii() and text.isprintable():  # the usual case: nothing to remove
        return text
    text = "".join(_SEPARATORS.get(c, c) for c in text)
    return "".join(c for c in text if not _invisible(c))


@lru_cache(maxsize=1)
def _markdown() -> Any:
    import mistune

    # escape=True: raw HTML in the Markdown is shown as text, never passed through.
    return mistune.create_markdown(escape=True, plugins=["strikethrough", "table"])


def _keep_local_links(tag: str, attribute: str, value: str) -> str | None:
    """nh3 attribute filter: a link's target survives only if it is a place in the same page."""
    if tag == "a" and attribute == "href":
        return value if value.startswith("#") and ":" not in value else None
    return value


def sanitise_html(markup: str) -> str:
    """HTML cleaned to :data:`COMMENTARY_TAGS` and :data:`COMMENTARY_ATTRIBUTES` (nh3): no script, no remote load.

    Notes
    -----
    nh3 (Ammonia) removes ``<script>`` and ``<style>`` with their content, every other tag not allowed (keeping its
    text), every attribute not allowed (so every ``on*`` handler) and every URL scheme not allowed; no scheme is
    allowed here, and :func:`_keep_local_links` keeps only ``#fragment`` links.
    """
    return nh3.clean(
        markup,
        tags=set(COMMENTARY_TAGS),
        attributes={tag: set(names) for tag, names in COMMENTARY_ATTRIBUTES.items()},
        attribute_filter=_keep_local_links,
        url_schemes=set(),
        strip_comments=True,
        link_rel="noopener noreferrer",
    )


def commentary_html(text: str) -> str:
    """The analyst's commentary (Markdown, untrusted) as safe HTML: Markdown formatting kept, any HTML shown as text.

    Examples
    --------
    >>> commentary_html("**Better** <script>alert(1)</script>")
    '<p><strong>Better</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>'
    """
    return sanitise_html(str(_markdown()(visible_text(text)))).strip()


def markdown_text(value: object) -> str:
    """A string from an input cell, safe inside Markdown: HTML escaped, Markdown syntax escaped, one line.

    The reader sees exactly the characters of the cell (``<b>`` shows as ``<b>``, ``*`` as ``*``).

    Examples
    --------
    >>> markdown_text("<script>x</script> *1*")
    '&lt;script&gt;x&lt;/script&gt; \\\\*1\\\\*'
    """
    if value is None:
        return ""
    text = _LINE_BREAKS.sub(" ", visible_text(value)).strip()
    text = html.escape(text, quote=False)
    # '&' is escaped first by html.escape, so the entities it makes are not escaped again here.
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def html_text(value: object) -> str:
    """A string from an input cell escaped for HTML element content or a quoted attribute."""
    return "" if value is None else html.escape(visible_text(value), quote=True)
