"""The flow of a topic's journey (issue 19): a static SVG drawn by hand, one box per step with its count and the
share that went on between them, every number a cell of the journey table (:mod:`analysis.products.topic_report`).

Hand-built rather than matplotlib: a few boxes, arrows and text, with a ``<title>`` and the figure's alt text naming
every number, so a screen reader hears what the eye sees.
"""

from __future__ import annotations

import textwrap

import pandas as pd

from analysis.products.chart_style import ReportFigure
from analysis.products.presentation import SUPPRESSED
from analysis.safe_text import html_text

#: The project's dark blue (Analysis Function palette) for the boxes; text in near-black GOV.UK text colour.
BOX = "#12436D"
INK = "#0B0C0C"


def withheld(reason: object) -> bool:
    return isinstance(reason, str) and reason.strip() != ""


def count_text(value: object, reason: object = "") -> str:
    """A count as shown: ``c`` when withheld, ``–`` when absent, else ``1,234``."""
    if withheld(reason):
        return SUPPRESSED
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):,.0f}"  # type: ignore[arg-type]


def percent_text(value: object, reason: object = "") -> str:
    """A percentage as shown: ``c`` when withheld, ``–`` when absent, else ``12.5%``."""
    if withheld(reason):
        return SUPPRESSED
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):.1f}%"  # type: ignore[arg-type]


def journey_flow(rows: pd.DataFrame, title: str) -> ReportFigure:
    """A static SVG flow of a journey's quarter: a box per step with its count, the share going on between them.

    Every number drawn is a cell of the table (the step's count; the first outcome's % of the step).
    """
    quarter = rows.loc[rows["period"] == "quarter"]
    steps = sorted({int(s) for s in quarter["step"]})
    box_w, box_h, gap = 210, 80, 90
    width = 20 + len(steps) * box_w + max(0, len(steps) - 1) * gap
    most = max((int((quarter["step"] == s).sum()) for s in steps), default=1)
    height = 150 + 16 * most
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'font-family="Arial, sans-serif" role="img">',
        f"<title>{html_text(title)}</title>",
    ]
    alt = []
    for i, step in enumerate(steps):
        x = 10 + i * (box_w + gap)
        all_row = quarter.loc[(quarter["step"] == step) & (quarter["outcome"] == "all")].iloc[0]
        count = count_text(all_row["count"], all_row["withheld"])
        parts.append(f'<rect x="{x}" y="40" width="{box_w}" height="{box_h}" fill="{BOX}" rx="4"/>')
        for n, line in enumerate(textwrap.wrap(str(all_row["step_name"]), 26)[:2]):
            parts.append(
                f'<text x="{x + box_w / 2}" y="{60 + 16 * n}" fill="#FFFFFF" font-size="13" '
                f'text-anchor="middle">{html_text(line)}</text>'
            )
        parts.append(
            f'<text x="{x + box_w / 2}" y="106" fill="#FFFFFF" font-size="20" font-weight="bold" '
            f'text-anchor="middle">{html_text(count)}</text>'
        )
        alt.append(f"{all_row['step_name']}: {count}")
        outcomes = quarter.loc[(quarter["step"] == step) & (quarter["outcome"] != "all")]
        if i + 1 < len(steps) and not outcomes.empty:
            on = outcomes.iloc[0]
            share = percent_text(on["percent_of_step"], on["withheld"])
            ax = x + box_w
            parts.append(
                f'<line x1="{ax + 8}" y1="75" x2="{ax + gap - 12}" y2="75" stroke="{INK}" stroke-width="2"/>'
                f'<polygon points="{ax + gap - 12},69 {ax + gap - 2},75 {ax + gap - 12},81" fill="{INK}"/>'
                f'<text x="{ax + gap / 2}" y="66" font-size="14" text-anchor="middle" fill="{INK}">'
                f"{html_text(share)}</text>"
            )
            alt.append(f"{share} went on ({on['outcome']})")
        for k, (_, o) in enumerate(
            outcomes.iloc[1:].iterrows() if i + 1 < len(steps) else outcomes.iterrows()
        ):
            parts.append(
                f'<text x="{x}" y="{142 + 16 * k}" font-size="12" fill="{INK}">'
                f"{html_text(o['outcome'])}: {html_text(count_text(o['count'], o['withheld']))}</text>"
            )
    parts.append("</svg>")
    return ReportFigure(
        svg="".join(parts),
        alt=f"{title}, this quarter. " + "; ".join(alt) + ".",
        caption=f"{title}, this quarter (numbers as in the table).",
    )
