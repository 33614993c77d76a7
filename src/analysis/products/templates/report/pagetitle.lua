-- The page's <title> (the browser tab) for a notebook rendered by Quarto: the report's first level-1 heading, as
-- in the built-in renderer's pages (analysis.products.executed_notebooks.notebook_title). Without a `title`, Quarto
-- passes the file name as `pagetitle` (quarto-cli src/command/render/pandoc.ts, "provide default page title"), so
-- this replaces it. A document with a title (index.qmd) keeps its own. Pandoc runs a filter's Header function on
-- every block (also inside the notebook's cell divs) before its Pandoc function.
local first_heading = nil

function Header(header)
  if first_heading == nil and header.level == 1 then
    first_heading = pandoc.utils.stringify(header.content)
  end
  return nil
end

function Pandoc(doc)
  if doc.meta.title or first_heading == nil then
    return nil
  end
  doc.meta.pagetitle = first_heading
  return doc
end
