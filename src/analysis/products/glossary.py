"""Acronyms spelt out at their first use on a page, from the glossary in ``config/glossary.yml``.

Every page is read top to bottom: the first time it uses an acronym of the glossary, the words come first and the
acronym follows in brackets ("children in need (CIN)"; "(Common Assessment Framework, CAF)" where the acronym stood
alone in brackets); a term is explained in brackets after its first use ("Framework i (the council's electronic
record of children's social care)"). Later uses are left as they are, and so is a first use the text already
spells out.

The pass works on what the page shows and nothing else: on an HTML page, only the text between tags (never a tag,
an attribute, a link's address, a comment, or the inside of ``<script>``, ``<style>``, ``<code>``, ``<pre>``,
``<svg>`` or ``<title>``); in Markdown, the text outside code spans, link addresses and inline tags. The text is
matched as the page has it (escaped) and the words put in are escaped once, for HTML or for Markdown.

A report notebook is one page: :func:`spell_out_notebook` reads its outputs in the order the page shows them, so
both renderers (nbconvert and Quarto, which render the executed notebook as it is) show the same words.
:func:`spell_out_html` does the same for a page the project writes itself (the index pages).

Notes
-----
GOV.UK style guide, "Abbreviations and acronyms": "the first time you use an abbreviation or acronym explain it in
full on each page unless it's well known, like UK, DVLA, US, EU, VAT and MP".
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from pathlib import Path

import nbformat

from analysis.config_glossary import GlossarySettings
from analysis.io import atomic_path
from analysis.products.html_pages import raw_html, raw_html_markdown
from analysis.safe_text import html_text, markdown_text

logger = logging.getLogger(__name__)

#: Elements whose content is not prose a reader reads as text: left alone, and not counted as a use.
SKIPPED_ELEMENTS = frozenset(
    {"script", "style", "code", "pre", "kbd", "samp", "svg", "math", "title", "textarea", "head", "template"}
)
#: Elements that start a new block of text (a sentence may start after them).
BLOCK_ELEMENTS = frozenset(
    {
        "p", "div", "section", "article", "aside", "nav", "header", "footer", "main", "li", "ul", "ol", "dl",
        "dt", "dd", "table", "caption", "thead", "tbody", "tr", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6",
        "figure", "figcaption", "blockquote", "br", "hr", "details", "summary",
    }
)  # fmt: skip
#: HTML as tokens: comments, CDATA and tags (a quoted attribute may hold ``>``); everything between is text.
_HTML_TOKENS = re.compile(
    r"(<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[!?/]?[A-Za-z](?:[^>\"']|\"[^\"]*\"|'[^']*')*>)", re.DOTALL
)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
#: Markdown that is not prose: code spans, link addresses ``](...)`` and inline tags or autolinks ``<...>``.
_MARKDOWN_SKIPS = re.compile(r"((`+).*?\2|\]\([^)]*\)|<[^>\n]*>)", re.DOTALL)
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
#: What may open a line before its first word: a heading's hashes, a list's marker, a quote's '>'.
_LINE_MARKERS = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)*")
#: The text kept as the context of the next match (enough to hold the longest words of an entry).
_CONTEXT = 400


def _markdown_visible(text: str) -> str:
    """What the reader sees of a piece of Markdown prose: backslash escapes and HTML entities undone."""
    return html.unescape(_MARKDOWN_ESCAPE.sub(r"\1", text))


def sentence_start(before: str) -> bool:
    """Whether a word after ``before`` (the visible text before it in its block) starts a sentence."""
    line = _LINE_MARKERS.sub("", before.split("\n")[-1]).rstrip(" \t\u00a0*_\"'\u201c\u2018(")
    return line == "" or line[-1] in ".!?"


def spelt_out(term: str, words: str, before: str, after: str) -> bool:
    """Whether the text around a use of ``term`` already spells it out: "words (TERM)" (also "children in need
    (CIN census)", the words just before the bracket), "(words, TERM)", "TERM (words)" or "(TERM, words)" (any
    case)."""
    b, a, w = before.lower().rstrip(), after.lower(), words.lower()
    return (
        b.endswith(f"{w} (")
        or (b.endswith(f"{w},") and a.startswith(")"))
        or a.startswith(f" ({w})")
        or a.startswith(f", {w})")
    )


class FirstUses:
    """One page's first uses: feed it the page's text in reading order; it spells out each entry once.

    Parameters
    ----------
    glossary : GlossarySettings
        ``config/glossary.yml`` (:attr:`analysis.config.ProjectConfig.glossary`).

    Attributes
    ----------
    used : list of str
        The entries the page has used so far, in the order of their first use.
    """

    def __init__(self, glossary: GlossarySettings) -> None:
        self.glossary = glossary
        entries = glossary.entries
        self._pattern = (
            re.compile(
                r"(?<![A-Za-z0-9_-])(?:"
                + "|".join(re.escape(term) for term in entries)
                + r")(?![A-Za-z0-9_]|-[A-Za-z0-9])"
            )
            if entries
            else None
        )
        self.used: list[str] = []
        self._context = ""

    # ------------------------------------------------------------------------------------------- the words
    def spelling(self, term: str, before: str, after: str) -> str:
        """The visible text that replaces a first use of ``term``, given the visible text around it."""
        enclosed = before.endswith("(") and after.startswith(")")
        if term in self.glossary.acronyms:
            words = self.glossary.acronyms[term]
            if enclosed:
                return f"{words}, {term}"
            if sentence_start(before):
                words = words[:1].upper() + words[1:]
            return f"{words} ({term})"
        explanation = self.glossary.terms[term]
        return f"{term}, {explanation}" if enclosed else f"{term} ({explanation})"

    def _spell_out(self, raw: str, visible: Callable[[str], str], escape: Callable[[str], str]) -> str:
        """``raw`` text (escaped for its format) with each entry's first use spelt out; the context moves on."""
        if self._pattern is None:
            return raw
        pieces: list[str] = []
        position = 0
        for match in self._pattern.finditer(raw):
            term = match.group(0)
            if term in self.used:
                continue
            self.used.append(term)
            before = self._context + visible(raw[: match.start()])
            after = visible(raw[match.end() :])
            words = self.glossary.acronyms.get(term) or self.glossary.terms[term]
            if spelt_out(term, words, before, after):
                continue
            pieces += [raw[position : match.start()], escape(self.spelling(term, before, after))]
            position = match.end()
        pieces.append(raw[position:])
        self._context = (self._context + visible(raw))[-_CONTEXT:]
        return "".join(pieces)

    def _new_block(self) -> None:
        self._context = (self._context + "\n")[-_CONTEXT:]

    # -------------------------------------------------------------------------------------------- formats
    def text(self, text: str) -> str:
        """Plain text (not yet escaped) with first uses spelt out: escape the result once, where it is written."""
        self._new_block()
        return self._spell_out(text, lambda s: s, lambda s: s)

    def html(self, markup: str) -> str:
        """HTML with first uses spelt out in its text only; tags, attributes and skipped elements unchanged."""
        if self._pattern is None:
            return markup
        pieces: list[str] = []
        skipped: dict[str, int] = {}
        for n, token in enumerate(_HTML_TOKENS.split(markup)):
            if n % 2 == 1:  # a tag, a comment or CDATA
                pieces.append(token)
                tag = _TAG.match(token)
                if tag is None:
                    continue
                closing, name = tag.group(1) == "/", tag.group(2).lower()
                if name in SKIPPED_ELEMENTS and not token.endswith("/>"):
                    skipped[name] = max(0, skipped.get(name, 0) + (-1 if closing else 1))
                if name in BLOCK_ELEMENTS:
                    self._new_block()
            elif token and not any(skipped.values()):
                pieces.append(self._spell_out(token, html.unescape, html_text))
            else:
                pieces.append(token)
        return "".join(pieces)

    def markdown(self, text: str) -> str:
        """Markdown with first uses spelt out in its prose; a raw HTML block is treated as HTML."""
        markup = raw_html(text)
        if markup is not None:
            return raw_html_markdown(self.html(markup))
        if self._pattern is None:
            return text
        self._new_block()
        pieces: list[str] = []
        for n, token in enumerate(_MARKDOWN_SKIPS.split(text)):
            if n % 3 == 0:
                pieces.append(self._spell_out(token, _markdown_visible, markdown_text))
            elif n % 3 == 1:
                pieces.append(token)
                self._context = (self._context + token)[-_CONTEXT:]
        return "".join(pieces)


# ------------------------------------------------------------------------------------------------- codes
def code_words(code: str, glossary: GlossarySettings | None = None) -> str:
    """A category code the cleaning stored, as words: ``health_services`` -> ``health services``; a word that is
    an acronym of the glossary in other letters gets its capitals back (``la_services`` -> ``LA services``,
    ``neet`` -> ``NEET``)."""
    known = {a.lower(): a for a in ([*glossary.acronyms, *glossary.well_known] if glossary else [])}
    return " ".join(known.get(word.lower(), word) for word in str(code).replace("_", " ").split())


# ------------------------------------------------------------------------------------------------- pages
def spell_out_html(markup: str, glossary: GlossarySettings) -> str:
    """A whole HTML page with each entry of the glossary spelt out at its first use."""
    return FirstUses(glossary).html(markup)


def spell_out_notebook(notebook: nbformat.NotebookNode, glossary: GlossarySettings) -> list[str]:
    """Spell out first uses in an executed notebook's outputs, in the order the page shows them (changed in place).

    Returns
    -------
    list of str
        The glossary's entries the page uses, in the order of their first use.
    """
    uses = FirstUses(glossary)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = uses.markdown(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime, spell in (("text/markdown", uses.markdown), ("text/html", uses.html)):
                if mime in data:
                    value = data[mime]
                    data[mime] = spell(value if isinstance(value, str) else "".join(value))
    return uses.used


def spell_out_executed(notebook: Path, glossary: GlossarySettings) -> list[str]:
    """Spell out first uses in an executed report notebook on disk (rewritten atomically); both renderers then show
    the same words. Returns the entries the page uses."""
    node = nbformat.read(notebook, as_version=4)
    used = spell_out_notebook(node, glossary)
    with atomic_path(Path(notebook)) as temporary:
        nbformat.write(node, temporary)
    logger.debug("%s: spelt out %s", Path(notebook).name, ", ".join(used) or "nothing")
    return used
