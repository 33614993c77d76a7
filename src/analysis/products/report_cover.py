"""The top of each report: its title, the plan's title for the quarter, the cover and the "How to read this report" box."""

from __future__ import annotations

import re
from datetime import date

from analysis.config import ProjectConfig
from analysis.config_plan import Theme
from analysis.methods.quarters import Quarter
from analysis.products.presentation import STATUS_ATTENTION, STATUS_OK, demo_banner_html
from analysis.safe_text import html_text

#: A financial-year span in a title: ``2015-2016`` or ``2015-16``.
_YEAR_SPAN = re.compile(r"\b(20\d\d)[-/–](20\d\d|\d\d)\b")


def report_title(authority: str, quarter: Quarter) -> str:
    """``Medway children's services: quarterly performance report, April to June 2015 (2015-16 Q1)``."""
    return f"{authority} children's services: quarterly performance report, {quarter.name}"


def exception_report_title(authority: str, theme: Theme, quarter: Quarter) -> str:
    """``Medway: exception report, theme 1 Quality and Effectiveness of practice, April to June 2015 (...)``."""
    return f"{authority} children's services: exception report for theme {theme.label}, {quarter.name}"


def plan_title(title: str, quarter: Quarter) -> str:
    """The plan's title for the quarter reported: a year span in it (``2015-2016``) becomes the quarter's year.

    A past quarter is reported under the plan of its own year (``Improvement Plan 2014-2015`` for 2014-15 Q4),
    not the year of the configuration.
    """
    start = quarter.financial_year_start
    return _YEAR_SPAN.sub(
        lambda m: f"{start}-{start + 1}" if len(m.group(2)) == 4 else f"{start}-{(start + 1) % 100:02d}",
        title,
    )


def cover_html(config: ProjectConfig, quarter: Quarter, report_date: date) -> str:
    """The cover under the title: authority, quarter, date, status and the demonstration-data banner."""
    authority = config.authority
    parts = [demo_banner_html(config)] if authority.demo else []
    rows = [
        ("Council", authority.name),
        ("Plan", plan_title(config.plan.title, quarter)),
        ("Period", quarter.name),
        ("Produced on", f"{report_date:%-d %B %Y}"),
        ("Status", authority.report_status.capitalize()),
    ]
    items = "".join(f"<div><dt>{html_text(k)}</dt><dd>{html_text(v)}</dd></div>" for k, v in rows)
    parts.append(f'<dl class="cover">{items}</dl>')
    parts.append(f'<p class="strapline">{html_text(config.plan.strapline)}</p>')
    return "".join(parts)


def how_to_read_html(config: ProjectConfig) -> str:
    """A short "How to read this report" box for readers who are not analysts (GOV.UK plain English).

    The comparison region is the authority's own (``config/authority.yml``), never a fixed name.
    """
    region = html_text(config.authority.region.name)
    points = [
        f"Each theme has a status: <strong>{STATUS_ATTENTION}</strong> (red) means at least one figure or "
        f"action needs the Board's attention; <strong>{STATUS_OK}</strong> (green) means none does.",
        f"Tables show our latest figure beside England, the {region} region and councils like ours (our "
        "statistical neighbours), for the period named in each column.",
        "Arrows show which way a number moved; the words beside them say whether that is better or worse.",
        "Charts show each month against the average and the range expected from normal month-to-month variation. "
        "A month outside the range, or a long run on one side of the average, is an unusual change worth asking "
        "about; anything else is normal variation.",
        "<strong>c</strong> means a figure is not shown because it is based on 1 to 5 children, to protect their "
        "privacy.",
    ]
    items = "".join(f"<li>{p}</li>" for p in points)
    return (
        '<aside class="how-to-read" aria-label="How to read this report"><p><strong>How to read this report'
        f"</strong></p><ul>{items}</ul></aside>"
    )
