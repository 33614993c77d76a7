"""NHS England "Making Data Count" variation and assurance icons, drawn as small inline SVG with a text alternative.

The designs follow the icon set NHS England publishes with its Making Data Count guidance, as redrawn in
NHSRplotthedots 0.2.x (``inst/icons/variation/*.svg``, ``inst/icons/assurance/*.svg``, chosen by
``ptd_get_icons`` in ``R/geom_ptd_icon.R``):

- **variation**: a white disc in a coloured ring over a short run of dots. Common cause: grey ring, grey dots, no
  letter. Special cause improvement: blue, concern: orange, neutral: purple, each with the letter ``H`` (the
  signal is high: above the mean) or ``L`` (low) and the last two dots in the ring's colour.
- **assurance**: the ring over a dashed target line and a grey process line. Consistently passing: blue ``P``;
  consistently failing: orange ``F``; hit and miss (the package's "inconsistent"): grey ``?``.

Every icon is ``role="img"`` with an ``aria-label`` and a ``<title>`` (the words a screen reader says and a
pointer shows), so the meaning never rests on colour alone.
"""

from __future__ import annotations

import logging

from analysis.config_indicators import Polarity
from analysis.methods.spc_rules import COMMON_CAUSE, CONCERN, IMPROVEMENT, NEUTRAL
from analysis.methods.spc_summary import CONSISTENTLY_FAILING, CONSISTENTLY_PASSING, HIT_AND_MISS
from analysis.safe_text import html_text

logger = logging.getLogger(__name__)

#: Ring and letter colours of the Making Data Count icons (NHSRplotthedots ``inst/icons``).
IMPROVEMENT_BLUE = "#0072C6"
CONCERN_ORANGE = "#FF6600"
NEUTRAL_PURPLE = "#490092"
COMMON_GREY = "#7F7F7F"

VARIATION_WORDS: dict[str, str] = {
    IMPROVEMENT: "Unusual change: improvement",
    CONCERN: "Unusual change: concern",
    NEUTRAL: "Unusual change: neither better nor worse",
    COMMON_CAUSE: "No significant change: normal month-to-month variation",
}
ASSURANCE_WORDS: dict[str, str] = {
    CONSISTENTLY_PASSING: "Assurance: consistently passing the target",
    CONSISTENTLY_FAILING: "Assurance: consistently failing the target",
    HIT_AND_MISS: "Assurance: hit and miss (the target may or may not be met)",
}
_VARIATION_COLOURS = {
    IMPROVEMENT: IMPROVEMENT_BLUE,
    CONCERN: CONCERN_ORANGE,
    NEUTRAL: NEUTRAL_PURPLE,
    COMMON_CAUSE: COMMON_GREY,
}
_ASSURANCE_STYLE = {
    CONSISTENTLY_PASSING: (IMPROVEMENT_BLUE, "P"),
    CONSISTENTLY_FAILING: (CONCERN_ORANGE, "F"),
    HIT_AND_MISS: (COMMON_GREY, "?"),
}
#: The five dots under the letter (x, y in a 100 x 100 box); the last two carry a signal's colour.
_DOTS = ((24, 70), (37, 74), (50, 70), (63, 62), (76, 58))
_DOTS_LOW = ((24, 58), (37, 62), (50, 66), (63, 74), (76, 78))


def signal_side(variation: str, polarity: Polarity, *, above_mean: bool | None = None) -> str | None:
    """``"high"`` or ``"low"``: which side of the mean a special cause lies, as the icon's letter ``H``/``L`` shows.

    Notes
    -----
    NHSRplotthedots ``ptd_get_icons``: improvement is "high" when higher is better and "low" when lower is better,
    concern the reverse; a neutral signal (no preferred direction) takes the side of the latest point.
    """
    if variation == IMPROVEMENT:
        return "high" if polarity == "higher_is_better" else "low"
    if variation == CONCERN:
        return "low" if polarity == "higher_is_better" else "high"
    if variation == NEUTRAL:
        if above_mean is None:
            return None
        return "high" if above_mean else "low"
    return None


def _ring(colour: str) -> str:
    return f'<circle cx="50" cy="50" r="43" fill="#FFFFFF" stroke="{colour}" stroke-width="8"/>'


def _letter(text: str, colour: str, y: int = 47) -> str:
    return (
        f'<text x="50" y="{y}" text-anchor="middle" font-family="Arial, Helvetica, sans-serif" '
        f'font-weight="700" font-size="34" fill="{colour}">{html_text(text)}</text>'
    )


def _svg(label: str, body: str, css_class: str, size: int) -> str:
    words = html_text(label)
    return (
        f'<svg class="mdc-icon {css_class}" role="img" aria-label="{words}" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100" xmlns="http://www.w3.org/2000/svg"><title>{words}</title>{body}</svg>'
    )


def variation_icon(
    variation: str | None, polarity: Polarity, *, above_mean: bool | None = None, size: int = 30
) -> str:
    """The variation icon for an indicator's latest point (empty string when there is no SPC reading).

    Parameters
    ----------
    variation
        ``common_cause``, ``improvement``, ``concern`` or ``neutral`` (the ``spc_summary`` column).
    polarity
        The indicator's polarity (decides ``H`` or ``L``).
    above_mean
        Whether the latest point is above the mean (only used for a neutral signal).
    size
        Width and height in CSS pixels.

    Notes
    -----
    NHS England, Making Data Count variation icons; NHSRplotthedots ``inst/icons/variation``.
    """
    if variation not in _VARIATION_COLOURS:
        return ""
    colour = _VARIATION_COLOURS[variation]
    side = signal_side(variation, polarity, above_mean=above_mean)
    dots = _DOTS_LOW if side == "low" else _DOTS
    parts = [_ring(colour)]
    label = VARIATION_WORDS[variation]
    if side is not None:
        parts.append(_letter(side[0].upper(), colour))
        label += f" ({'unusually high' if side == 'high' else 'unusually low'} values)"
    for n, (x, y) in enumerate(dots):
        fill = colour if side is not None and n >= len(dots) - 2 else COMMON_GREY
        parts.append(f'<circle cx="{x}" cy="{y}" r="5" fill="{fill}"/>')
    return _svg(label, "".join(parts), f"mdc-variation mdc-{variation.replace('_', '-')}", size)


def assurance_icon(assurance: str | None, *, size: int = 30) -> str:
    """The assurance icon (empty string without a target, as Making Data Count draws none).

    Notes
    -----
    NHS England, Making Data Count assurance icons; NHSRplotthedots ``inst/icons/assurance`` (pass, fail,
    inconsistent) and ``ptd_calculate_assurance_type``.
    """
    if assurance not in _ASSURANCE_STYLE:
        return ""
    colour, letter = _ASSURANCE_STYLE[assurance]
    parts = [
        _ring(colour),
        _letter(letter, colour, y=44),
        f'<path d="M12 58 H88" stroke="{colour}" stroke-width="4" stroke-dasharray="9 4" fill="none"/>',
        f'<path d="M20 74 C30 64 38 64 46 72 S60 80 66 70 S78 66 82 72" stroke="{COMMON_GREY}" '
        'stroke-width="5" fill="none"/>',
    ]
    return _svg(
        ASSURANCE_WORDS[assurance], "".join(parts), f"mdc-assurance mdc-{assurance.replace('_', '-')}", size
    )


def legend_items() -> list[tuple[str, str]]:
    """(icon SVG, words) for every icon, for the dashboard's key."""
    items = [
        # The letters in the icons are Making Data Count's; the key says what each means (issue 22, point 7).
        (
            variation_icon(IMPROVEMENT, "higher_is_better"),
            "Improvement: an unusual change for the better. The letter says which way: H, unusually high; "
            "L, unusually low",
        ),
        (
            variation_icon(CONCERN, "higher_is_better"),
            "Concern: an unusual change for the worse (H or L as above)",
        ),
        (
            variation_icon(NEUTRAL, "context", above_mean=True),
            "Unusual change where neither higher nor lower is better (H or L as above)",
        ),
        (
            variation_icon(COMMON_CAUSE, "higher_is_better"),
            "No significant change: normal month-to-month variation",
        ),
        (assurance_icon(CONSISTENTLY_PASSING), "P: passes the target every month, as things stand"),
        (assurance_icon(CONSISTENTLY_FAILING), "F: fails the target every month, as things stand"),
        (assurance_icon(HIT_AND_MISS), "?: hit and miss, may or may not meet the target"),
    ]
    return items
