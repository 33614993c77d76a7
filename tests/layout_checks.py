"""Measurements of a rendered page in Chromium, shared by the browser tests: hidden table columns and small text.

A column is hidden when a cell's right edge lies beyond the visible width of a box that clips or scrolls it (a
``.table-wrap`` with ``overflow-x: auto``, or the window): the reader must scroll sideways to see it. Text is every
visible text node's element (not ``display: none``, not the 1 px visually hidden text for screen readers).
"""

from __future__ import annotations

from typing import Any

#: The smallest font size allowed on screen, in CSS pixels (issue 22, point 9).
SMALLEST_TEXT_PX = 12.0
#: The screen the committee reads on.
SCREEN_1280 = {"width": 1280, "height": 900}

MEASURE_LAYOUT = """(smallest) => {
  const hidden = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const box = cell.getBoundingClientRect();
    if (box.width === 0) continue;
    let right = document.documentElement.clientWidth;
    for (let e = cell.parentElement; e; e = e.parentElement) {
      if (getComputedStyle(e).overflowX !== 'visible') {
        right = Math.min(right, e.getBoundingClientRect().left + e.clientLeft + e.clientWidth);
      }
    }
    if (box.right > right + 1) {
      const table = cell.closest('table');
      const caption = table.caption ? table.caption.textContent.trim() : table.className;
      const header = table.rows[0] && table.rows[0].cells[cell.cellIndex];
      hidden.push({table: caption, column: header ? header.textContent.trim() : String(cell.cellIndex),
                   hiddenPx: Math.round(box.right - right)});
    }
  }
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const element = node.parentElement;
    const style = getComputedStyle(element);
    if (style.visibility === 'hidden') continue;
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;   // display: none, or visually hidden for screen readers
    const size = parseFloat(style.fontSize);
    if (size < smallest) {
      small.push({text: node.textContent.trim().slice(0, 40), element: element.tagName.toLowerCase() + '.' +
                  element.className, px: size});
    }
  }
  return {hidden, small, width: document.documentElement.scrollWidth};
}"""


def layout_problems(page: Any) -> dict[str, list[str]]:
    """What a reader of ``page`` (a Playwright page, already loaded) cannot see or read easily; empty lists if none."""
    found = page.evaluate(MEASURE_LAYOUT, SMALLEST_TEXT_PX)
    hidden = sorted(
        {f"{h['table']}: column {h['column']!r} ({h['hiddenPx']} px hidden)" for h in found["hidden"]}
    )
    if found["width"] > page.viewport_size["width"]:
        hidden.append(f"the page is {found['width']} px wide: it scrolls sideways")
    small = sorted({f"{s['element']} {s['px']} px: {s['text']!r}" for s in found["small"]})
    return {"hidden columns": hidden, "text under 12 px": small}
