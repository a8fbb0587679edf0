-- Orchard's work-done progress (one per running agent): kept for `require("orchard").status()`
-- and announced with vim.notify, while Neovim's own $/progress handling (LspProgress and
-- vim.lsp.status() on 0.10+, LspProgressUpdate before) still runs. Draws nothing itself.
local M = {}

M.active = {} -- token -> { title = ..., message = ..., percentage = ... }

local function announce(text)
  if not require("orchard.config").options.progress_notify then return end
  vim.schedule(function() vim.notify(text, vim.log.levels.INFO, { title = "Orchard" }) end)
end

local function remember(token, value)
  local key = tostring(token)
  if value.kind == "begin" then
    M.active[key] = { title = value.title, message = value.message, percentage = value.percentage }
    announce(value.title .. (value.message and (": " .. value.message) or ""))
  elseif value.kind == "report" and M.active[key] then
    M.active[key].message = value.message or M.active[key].message
    M.active[key].percentage = value.percentage or M.active[key].percentage
  elseif value.kind == "end" then
    local title = M.active[key] and M.active[key].title or "Orchard"
    M.active[key] = nil
    announce(title .. (value.message and (": " .. value.message) or ": done"))
  end
end

---The client's `$/progress` handler: note the progress, then hand it to Neovim's own handler.
function M.handler(err, result, ctx, handler_config)
  if result and type(result.value) == "table" then remember(result.token, result.value) end
  local default = vim.lsp.handlers["$/progress"]
  if default then return default(err, result, ctx, handler_config) end
end

---One line for a statusline: the running agents' progress, or "" when nothing runs.
function M.status()
  local parts = {}
  for _, item in pairs(M.active) do
    local text = item.title:gsub("^Orchard%s*", "")
    if item.percentage then text = text .. " " .. item.percentage .. "%%" end
    if item.message and item.message ~= "" then text = text .. " " .. item.message end
    table.insert(parts, text)
  end
  table.sort(parts)
  return table.concat(parts, " | ")
end

return M
