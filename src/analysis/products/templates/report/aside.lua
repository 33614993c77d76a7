-- The "How to read this report" box in the text, not in Quarto's right margin (issue 22, point 10).
--
-- The reports write the box as `<aside>` (analysis.products.report_cover.how_to_read_html, and the topic reports'
-- topic_report.how_to_read_html), a complementary landmark. Quarto gives every `<aside>` a meaning of its own, a
-- margin note: its style sheet places it in the page's right margin (bootstrap `_bootstrap-rules.scss`:
-- `aside:not(.footnotes):not(.sidebar)` in grid column body-end / page-end), and its script folds the contents
-- list away while an `<aside>` is on screen beside it (`quarto.js`, `rightSideConflictEls`, which takes every
-- ASIDE). The exception and topic reports then opened on a
-- blank first screen with the box beside the contents. Here the box becomes `<div role="complementary">`: the same
-- landmark for assistive technology, and an ordinary block in the text column, as in the built-in pages.
local function rewrite(text)
  text = text:gsub("<aside(%f[%s>][^>]*)>", function(attributes)
    if attributes:find("%srole%s*=") then
      return "<div" .. attributes .. ">"
    end
    return '<div role="complementary"' .. attributes .. ">"
  end)
  return (text:gsub("</aside%s*>", "</div>"))
end

function RawBlock(raw)
  if raw.format == "html" and raw.text:find("<aside", 1, true) then
    raw.text = rewrite(raw.text)
    return raw
  end
  return nil
end
