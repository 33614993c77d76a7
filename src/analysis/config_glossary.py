"""The model of ``config/glossary.yml``: the words a councillor may not know, and what each means.

Read by the one loader, :func:`analysis.config.load_config`; :func:`check_glossary` refuses a malformed entry,
naming it (``acronyms.CIN``). The pages spell each acronym out at its first use (:mod:`analysis.products.glossary`).
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.config_model import StrictModel
from analysis.errors import ConfigError

#: An acronym as the pages write it: a letter, then letters, digits or hyphens, with two capitals or more
#: (``CIN``, ``DfE``, ``SSDA903``, ``SHA-256``).
ACRONYM = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
#: A named term (a system, a piece of jargon): words of letters, digits, hyphens and full stops.
TERM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .-]*[A-Za-z0-9]$")


class GlossarySettings(StrictModel):
    """``config/glossary.yml``.

    ``acronyms``: acronym -> its words, said at the acronym's first use on every page ("children in need (CIN)").
    ``terms``: a name or piece of jargon -> a short explanation, said in brackets after its first use.
    ``well_known``: acronyms every reader knows (PDF, NHS): left as they are.
    """

    acronyms: dict[str, str] = {}
    terms: dict[str, str] = {}
    well_known: list[str] = []

    @property
    def entries(self) -> dict[str, str]:
        """Every acronym and term with its words, the longest first (so ``SHA-256`` is found before ``SHA``)."""
        both = {**self.acronyms, **self.terms}
        return dict(sorted(both.items(), key=lambda item: (-len(item[0]), item[0])))


def _capitals(text: str) -> int:
    return sum(1 for c in text if c.isupper())


def _words_of(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z0-9][A-Za-z0-9-]*", text))


def check_glossary(glossary: GlossarySettings, path: Path) -> None:
    """Refuse an entry that the pages could not use: a malformed acronym or term, empty words, an explanation
    that itself uses an acronym of the glossary, or one word in two lists.

    Raises
    ------
    ConfigError
        Naming the file, the entry (``acronyms.CIN``), what was expected and what was found.
    """
    acronyms = set(glossary.acronyms)
    for key, words in glossary.acronyms.items():
        where = f"acronyms.{key}"
        if not ACRONYM.match(key) or _capitals(key) < 2:
            raise ConfigError(
                path, where, "an acronym: letters (two capitals or more), digits or hyphens, no spaces", key
            )
        _check_words(path, where, key, words, acronyms)
    for key, words in glossary.terms.items():
        where = f"terms.{key}"
        if not TERM.match(key):
            raise ConfigError(path, where, "a term: words of letters, digits, hyphens or full stops", key)
        if key in acronyms:
            raise ConfigError(path, where, "a term that is not also under acronyms", key)
        _check_words(path, where, key, words, acronyms)
    for n, key in enumerate(glossary.well_known):
        where = f"well_known[{n}]"
        if not ACRONYM.match(key) or _capitals(key) < 2:
            raise ConfigError(
                path, where, "an acronym: letters (two capitals or more), digits or hyphens", key
            )
        if key in acronyms or key in glossary.terms:
            raise ConfigError(
                path, where, "an acronym that is not also spelt out under acronyms or terms", key
            )


def _check_words(path: Path, where: str, key: str, words: str, acronyms: set[str]) -> None:
    """The words of an entry: plain text that is not empty, does not repeat the entry and uses no acronym of the
    glossary (it would then be an acronym's first use that nobody spelt out)."""
    if not words.strip():
        raise ConfigError(path, where, "the words it stands for (not empty)", words)
    if any(c in words for c in "<>`*_[]\n"):
        raise ConfigError(path, where, "plain words, without markup or line breaks", words)
    used = sorted((_words_of(words) & acronyms) | ({key} & _words_of(words)))
    if used:
        raise ConfigError(
            path, where, f"words that use no acronym of the glossary (this uses {', '.join(used)})", words
        )
