"""What a councillor reads on a page, and the words on it a councillor may not know (issue 22, point 7).

Written apart from :mod:`analysis.products.glossary` (which spells acronyms out), so that the test does not check
the code with itself: a page's visible text in reading order, then

- each acronym or term of ``config/glossary.yml`` on it spelt out at its first appearance;
- no acronym that the glossary does not know (add it there);
- no snake_case identifier, ``config/`` or ``data/`` path, configuration or data file name, model code or
  parameter dump (those are the audit trail's).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from analysis.config_glossary import GlossarySettings

#: Elements whose text a reader does not read as the page's prose.
NOT_READ = {"script", "style", "head", "title", "svg", "code", "pre", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
BLOCKS = {
    "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "caption", "h1", "h2", "h3", "h4", "h5", "h6",
    "figcaption", "figure", "section", "nav", "aside", "header", "footer", "dt", "dd", "br", "blockquote",
}  # fmt: skip

#: An acronym as a reader meets it: two capitals or more in one word (``CIN``, ``DfE``, ``XmR``).
ACRONYM = re.compile(r"(?<![\w-])[A-Z][A-Za-z]*[A-Z][A-Za-z]*(?![\w])")
TECHNICAL = {
    "identifier": re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"),
    "path": re.compile(r"(?<![\w./])(?:config|data|src|notebooks|reports)/(?:[\w./*-]*[\w*])?"),
    "file name": re.compile(r"\b[\w-]+\.(?:ya?ml|py|ipynb|parquet|json)\b"),
    "model code": re.compile(r"\bETS\(|\bARIMA\b|\bAICc?\b|\bMAPE\b"),
    "parameter": re.compile(r"\b[a-z_]+ = (?:True|False|None|\d)"),
}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not NOT_READ.intersection(self.open):
            self.parts.append(data)


def visible_text(page: str) -> str:
    """The text a reader reads on a page, in order: no tags, attributes, scripts, styles, titles or drawings."""
    parser = _Text()
    parser.feed(page)
    parser.close()
    text = "".join(parser.parts).replace("\u00a0", " ")
    return re.sub(r"[ \t]*\n\s*", "\n", text)


def _entries(glossary: GlossarySettings) -> list[tuple[str, str, bool]]:
    """(term, its words, is an acronym), the longest term first."""
    rows = [(k, v, True) for k, v in glossary.acronyms.items()] + [
        (k, v, False) for k, v in glossary.terms.items()
    ]
    return sorted(rows, key=lambda row: -len(row[0]))


def _term_pattern(terms: list[str]) -> re.Pattern[str]:
    return re.compile(
        r"(?<![A-Za-z0-9_-])(" + "|".join(re.escape(t) for t in terms) + r")(?![A-Za-z0-9_]|-[A-Za-z0-9])"
    )


def first_use_problems(text: str, glossary: GlossarySettings) -> list[str]:
    """Each entry of the glossary whose first appearance in ``text`` is not spelt out, with what surrounds it."""
    entries = _entries(glossary)
    if not entries:
        return []
    words = {term: (meaning, acronym) for term, meaning, acronym in entries}
    first: dict[str, re.Match[str]] = {}
    for match in _term_pattern([t for t, _, _ in entries]).finditer(text):
        first.setdefault(match.group(1), match)
    problems = []
    for term, match in first.items():
        meaning, acronym = words[term]
        before = text[: match.start()].lower()
        after = text[match.end() :].lower()
        m = meaning.lower()
        if acronym:
            # "children in need (CIN)", "(children in need, CIN)"; "children in need (CIN census)" reads as well
            ok = before.endswith(f"{m} (") or (before.endswith(f"({m}, ") and after.startswith(")"))
        else:
            ok = after.startswith(f" ({m})") or (before.endswith("(") and after.startswith(f", {m})"))
        ok = ok or after.startswith(f" ({m})")
        if not ok:
            around = text[max(0, match.start() - 60) : match.end() + 40].replace("\n", " | ")
            problems.append(f"{term} not spelt out at its first use: ...{around}...")
    return problems


def unknown_acronyms(text: str, glossary: GlossarySettings) -> list[str]:
    """Acronyms on the page that the glossary neither spells out nor counts as well known."""
    known = [*glossary.acronyms, *glossary.terms, *glossary.well_known]
    stripped = _term_pattern(known).sub(" ", text) if known else text
    return sorted({f"{a} is in no list of config/glossary.yml" for a in ACRONYM.findall(stripped)})


def technical_words(text: str) -> list[str]:
    """Identifiers, paths, file names, model codes and parameter dumps in a page's text."""
    found = []
    for kind, pattern in TECHNICAL.items():
        for match in pattern.finditer(text):
            around = text[max(0, match.start() - 50) : match.end() + 30].replace("\n", " | ")
            found.append(f"{kind} {match.group(0)!r}: ...{around}...")
    return found


def page_problems(page: str, glossary: GlossarySettings) -> list[str]:
    """Everything on a page (HTML) that a councillor should not have to decode."""
    text = visible_text(page)
    return first_use_problems(text, glossary) + unknown_acronyms(text, glossary) + technical_words(text)


def as_configured(text: str, glossary: GlossarySettings) -> str:
    """A page's text with each first-use spelling taken back out ("children in need (CIN)" -> "CIN", "(Common
    Assessment Framework, CAF)" -> "(CAF)", "Framework i (the council's ...)" -> "Framework i"): for tests that
    find configured names and sources on a page (``config/indicators.yml`` has "Early help assessments (CAF)
    started"; the page spells CAF out where it first appears)."""
    for term, meaning, acronym in _entries(glossary):
        if acronym:
            for words in {meaning, meaning[:1].upper() + meaning[1:]}:
                text = text.replace(f"({words}, {term})", f"({term})").replace(f"{words} ({term})", term)
        else:
            text = text.replace(f"{term} ({meaning})", term).replace(f"({term}, {meaning})", f"({term})")
    return text
