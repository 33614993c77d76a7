"""The glossary (config/glossary.yml): the loader refuses a bad entry naming it; the presentation helper spells each
acronym out at its first use on a page, once, in text only, escaped once (issue 22, point 7)."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from analysis.config import load_config
from analysis.config_glossary import GlossarySettings
from analysis.errors import ConfigError
from analysis.products.glossary import (
    FirstUses,
    code_words,
    sentence_start,
    spell_out_html,
    spell_out_notebook,
)
from analysis.products.html_pages import raw_html_markdown

GLOSSARY = GlossarySettings(
    acronyms={
        "CIN": "children in need",
        "CP": "child protection",
        "CAF": "Common Assessment Framework",
        "DfE": "Department for Education",
        "LA": "local authority",
        "SHA-256": "secure hash",
    },
    terms={"Framework i": "the council's case record system"},
    well_known=["PDF"],
)


# ------------------------------------------------------------------------------------------------ loader
@pytest.fixture
def config_copy(tmp_path: Path, repo_root: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(repo_root / "config", folder)
    return folder


def _write_glossary(folder: Path, data: object) -> None:
    (folder / "glossary.yml").write_text(yaml.safe_dump(data), encoding="utf-8")


def test_the_repositorys_glossary_loads(repo_root: Path) -> None:
    glossary = load_config(repo_root / "config").glossary
    assert glossary.acronyms["CIN"] == "children in need"
    assert glossary.acronyms["MSCB"] == "Medway Safeguarding Children Board"
    assert "Framework i" in glossary.terms and "PDF" in glossary.well_known
    # the longest first, so a longer entry is found before a shorter one it contains
    lengths = [len(term) for term in glossary.entries]
    assert lengths == sorted(lengths, reverse=True)


def test_without_glossary_yml_nothing_is_spelt_out(config_copy: Path) -> None:
    (config_copy / "glossary.yml").unlink()
    glossary = load_config(config_copy).glossary
    assert glossary == GlossarySettings()
    assert spell_out_html("<p>CIN</p>", glossary) == "<p>CIN</p>"


@pytest.mark.parametrize(
    ("data", "where", "found"),
    [
        ({"acronyms": {"CIN": ""}}, "acronyms.CIN", ""),  # no words
        ({"acronyms": {"CIN": "children in need (CIN)"}}, "acronyms.CIN", "children in need (CIN)"),
        ({"acronyms": {"Cin": "children in need"}}, "acronyms.Cin", "Cin"),  # one capital: not an acronym
        ({"acronyms": {"C I N": "children in need"}}, "acronyms.C I N", "C I N"),
        (
            {"acronyms": {"DfE": "Department for Education", "SSDA903": "the DfE return"}},
            "acronyms.SSDA903",
            "the DfE return",
        ),  # its words use another acronym, which nobody would spell out
        ({"acronyms": {"CIN": "<b>children</b> in need"}}, "acronyms.CIN", "<b>children</b> in need"),
        ({"terms": {"Framework_i": "a system"}}, "terms.Framework_i", "Framework_i"),
        ({"acronyms": {"CIN": "children in need"}, "terms": {"CIN": "x"}}, "terms.CIN", "CIN"),
        ({"acronyms": {"CIN": "children in need"}, "well_known": ["CIN"]}, "well_known[0]", "CIN"),
    ],
)
def test_a_bad_entry_is_refused_naming_it(config_copy: Path, data: object, where: str, found: object) -> None:
    _write_glossary(config_copy, data)
    with pytest.raises(ConfigError) as caught:
        load_config(config_copy)
    assert caught.value.file.name == "glossary.yml"
    assert caught.value.key == where
    assert caught.value.found == found


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"acronyms": {"CIN": None}}, "acronyms.CIN"),  # not text
        ({"acronyms": {"CIN": {"words": "children in need"}}}, "acronyms.CIN"),
        ({"acronym": {"CIN": "children in need"}}, "acronym"),  # an unknown key
        (["CIN"], "(top level)"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_key(config_copy: Path, data: object, where: str) -> None:
    _write_glossary(config_copy, data)
    with pytest.raises(ConfigError) as caught:
        load_config(config_copy)
    assert caught.value.file.name == "glossary.yml"
    assert caught.value.key == where


# ------------------------------------------------------------------------------------------------ helper
def test_first_use_spelt_out_and_later_uses_not() -> None:
    uses = FirstUses(GLOSSARY)
    assert uses.text("CIN plans for CIN") == "Children in need (CIN) plans for CIN"
    assert uses.text("more CIN, and CP plans") == "more CIN, and child protection (CP) plans"
    assert uses.used == ["CIN", "CP"]


def test_an_acronym_alone_in_brackets_gets_its_words_inside_them() -> None:
    uses = FirstUses(GLOSSARY)
    assert uses.text("Early help assessments (CAF) started") == (
        "Early help assessments (Common Assessment Framework, CAF) started"
    )


def test_a_first_use_already_spelt_out_is_left_alone() -> None:
    uses = FirstUses(GLOSSARY)
    for text in (
        "Children in need (CIN) rose; CIN fell",
        "the DfE (Department for Education) says",
        "counts (Local authority, LA) and LA",
        "Characteristics of child protection (CP census)",
    ):
        assert uses.text(text) == text


def test_capitals_only_where_a_sentence_starts() -> None:
    uses = FirstUses(GLOSSARY)
    assert uses.text("Figures. CIN rose") == "Figures. Children in need (CIN) rose"
    assert uses.text("DfE figures") == "Department for Education (DfE) figures"  # a name keeps its capitals
    assert sentence_start("") and sentence_start("Done. ") and sentence_start("## ")
    assert not sentence_start("the ") and not sentence_start("Why it is here: ")


def test_whole_words_only() -> None:
    uses = FirstUses(GLOSSARY)
    assert uses.text("CINE, CP-IS, non-CP, LAC and CPs") == "CINE, CP-IS, non-CP, LAC and CPs"
    assert uses.used == []
    assert uses.text("its SHA-256") == "its secure hash (SHA-256)"  # an acronym with a hyphen and digits
    assert uses.text("Framework i is used") == "Framework i (the council's case record system) is used"
    assert uses.text("Framework i again") == "Framework i again"  # a term: explained once per page


def test_attributes_links_and_code_are_untouched() -> None:
    page = (
        "<!DOCTYPE html><html><head><title>CIN</title><style>.CIN{}</style></head><body>"
        '<a href="#CIN" title="CIN &gt; CP" data-x="<p>CP</p>">the CIN list</a>'
        '<img alt="CP chart" src="data:image/svg+xml;utf8,<svg><text>LA</text></svg>">'
        "<code>CP</code><svg><title>LA</title><text>LA</text></svg><!-- CP -->"
        "<p>CP and LA</p></body></html>"
    )
    out = spell_out_html(page, GLOSSARY)
    assert out == page.replace("the CIN list", "the children in need (CIN) list").replace(
        "<p>CP and LA</p>", "<p>Child protection (CP) and local authority (LA)</p>"
    )


def test_escaping_happens_once() -> None:
    special = GlossarySettings(acronyms={"QA": 'quality & assurance\'s "team"'})
    out = spell_out_html("<p>Tom &amp; QA &lt;b&gt;</p>", special)
    assert out == "<p>Tom &amp; quality &amp; assurance&#x27;s &quot;team&quot; (QA) &lt;b&gt;</p>"
    assert html.unescape(out) == '<p>Tom & quality & assurance\'s "team" (QA) <b></p>'
    # Markdown: the words inserted are escaped for Markdown; code spans and link addresses are not prose
    uses = FirstUses(special)
    assert uses.markdown("See `QA` and [the QA](#QA) list") == (
        'See `QA` and [the quality &amp; assurance\'s "team" \\(QA\\)](#QA) list'
    )


def test_a_notebook_is_one_page_in_the_order_it_shows(tmp_path: Path) -> None:
    """Outputs in order across cells; headings, Markdown and raw HTML blocks alike; the text/plain left alone."""
    notebook = nbformat.v4.new_notebook()
    outputs = [
        nbformat.v4.new_output("display_data", {"text/markdown": "# CIN report\n", "text/plain": "CIN"}),
        nbformat.v4.new_output(
            "display_data", {"text/markdown": raw_html_markdown('<p class="CP">CIN and CP</p>')}
        ),
    ]
    notebook.cells = [
        nbformat.v4.new_code_cell("display(...)", outputs=outputs[:1]),
        nbformat.v4.new_code_cell("display(...)", outputs=outputs[1:]),
    ]
    assert spell_out_notebook(notebook, GLOSSARY) == ["CIN", "CP"]
    assert notebook.cells[0].outputs[0].data["text/markdown"] == "# Children in need \\(CIN\\) report\n"
    assert notebook.cells[0].outputs[0].data["text/plain"] == "CIN"
    assert notebook.cells[1].outputs[0].data["text/markdown"] == raw_html_markdown(
        '<p class="CP">CIN and child protection (CP)</p>'
    )
    # twice is the same as once: every first use is now spelt out
    again = nbformat.from_dict(notebook)
    spell_out_notebook(again, GLOSSARY)
    assert again == notebook


def test_codes_as_words() -> None:
    assert code_words("health_services", GLOSSARY) == "health services"
    assert code_words("la_services", GLOSSARY) == "LA services"
    assert code_words("police") == "police"
