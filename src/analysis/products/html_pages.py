"""The pages the project writes: the report template and style sheet, the head with the policy, raw HTML blocks."""

from __future__ import annotations

import re
from pathlib import Path

from analysis.io import atomic_path

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
REPORT_TEMPLATE = "report"
STYLESHEET = TEMPLATES_DIR / REPORT_TEMPLATE / "report.css"
#: What a page the project writes may load: nothing from anywhere, only its own inline styles and data: images
#: and fonts (the report template ``templates/report/index.html.j2`` carries the same policy).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; "
    "form-action 'none'"
)
#: The ``<head>`` start of every page the project writes itself (index pages): charset, viewport and the policy.
PAGE_HEAD = (
    '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
    f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
)
PAGE_MODE = 0o644
#: A Markdown output that is exactly one fenced raw HTML block (what :func:`raw_html_markdown` writes).
_RAW_HTML_BLOCK = re.compile(r"\A(?P<fence>`{3,})\{=html\}\n(?P<html>.*)\n(?P=fence)\s*\Z", re.DOTALL)


# ------------------------------------------------------------------------------------------ raw HTML blocks
def raw_html_markdown(markup: str) -> str:
    """HTML as Markdown: one fenced block with Pandoc's ``{=html}`` raw attribute, passed through unchanged.

    Notes
    -----
    Quarto adds ``<script src>`` tags for require.js and jQuery from a CDN to the page made from any notebook
    with a ``text/html`` or ``application/javascript`` display output (quarto-cli ``src/core/jupyter/widgets.ts``,
    ``extractJupyterWidgetDependencies``, which looks only at the output's MIME types): a report whose tables are
    ``text/html`` reaches for the internet, and offline pandoc prints "Could not fetch resource". As Markdown
    output with a raw block, nothing is added: Pandoc copies a fenced block with the ``{=html}`` raw attribute
    verbatim into HTML output (Pandoc manual, "Extension: raw_attribute"; Quarto's own ``mdHtmlOutput`` in
    ``src/core/jupyter/jupyter.ts`` wraps ``text/html`` outputs the same way), and the built-in renderer turns the
    block back into HTML output (:func:`raw_html`). The fence is longer than any run of backticks in the markup,
    as CommonMark requires of a fenced block.
    """
    longest = max((len(run) for run in re.findall(r"`+", markup)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{{=html}}\n{markup}\n{fence}"


def raw_html(markdown: str) -> str | None:
    """The HTML of a Markdown output that is one raw HTML block (:func:`raw_html_markdown`), else ``None``."""
    match = _RAW_HTML_BLOCK.match(markdown)
    return match.group("html") if match else None


def write_page(target: Path, text: str) -> None:
    """Write an HTML page atomically, readable by all (it is e-mailed or published; nothing personal in it)."""
    with atomic_path(target) as temporary:
        temporary.write_text(text, encoding="utf-8")
        temporary.chmod(PAGE_MODE)
