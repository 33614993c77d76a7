-- Every heading of a notebook in Quarto's contents list, nested as in the built-in renderer's (issue 22, point 10).
--
-- Quarto gives each notebook cell a div (`.cell`), and one cell often shows several sections: the exception
-- report's "Exceptions this quarter", each exception and "Commentary on the theme" come from one cell. Pandoc
-- builds the contents from sections (Text.Pandoc.Shared, makeSections and toTableOfContents): a div becomes a
-- section only when it starts with a heading and holds no other heading of that level or higher, and the headings
-- inside any other div are left out. A cell holding two level-2 headings thus lost all its headings from the
-- contents. Unwrapped, a cell's blocks are the document's own, and Pandoc nests each heading under the one before.
--
-- The cell of the report's title (a level-1 heading and no other heading) keeps its div: a section of its own,
-- listed first, with the report's sections after it rather than inside it, as in the built-in contents, which
-- list the sections but not the title.
local function headings(blocks)
  local found = {}
  for _, block in ipairs(blocks) do
    if block.t == "Header" then
      found[#found + 1] = block
    end
  end
  return found
end

function Div(div)
  if not div.classes:includes("cell") then
    return nil
  end
  local found = headings(div.content)
  if #found == 0 then
    return nil
  end
  if #found == 1 and found[1].level == 1 and div.content[1] == found[1] then
    return nil -- the title's section
  end
  return div.content
end
