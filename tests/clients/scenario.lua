-- Headless scenario run after the README's snippet: open two files, wait for diagnostics,
-- and write what Neovim saw (clients, attachments, messages) as JSON to $ORCHARD_RESULT.
vim.o.hidden = true
local files = { os.getenv("ORCHARD_GOOD"), os.getenv("ORCHARD_BROKEN") }

local function orchard_clients()
  local found = {}
  local all = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  for _, client in pairs(all) do
    if client.name == "orchard" then table.insert(found, client) end
  end
  return found
end

local function attached(buf)
  local count = 0
  if vim.lsp.get_clients then
    count = #vim.lsp.get_clients({ bufnr = buf })
  else
    for _ in pairs(vim.lsp.buf_get_clients(buf)) do count = count + 1 end
  end
  return count
end

vim.api.nvim_create_autocmd("VimEnter", { callback = function()
  vim.schedule(function()
    local bufs = {}
    for _, file in ipairs(files) do
      vim.cmd("edit " .. vim.fn.fnameescape(file))
      table.insert(bufs, vim.api.nvim_get_current_buf())
    end
    vim.wait(90000, function() return #vim.diagnostic.get(bufs[2]) > 0 end, 100)
    local result = { attached = {}, diagnostics = {}, clients = #orchard_clients() }
    for i, buf in ipairs(bufs) do
      result.attached[i] = attached(buf)
      result.diagnostics[i] = vim.tbl_map(function(d) return d.message end, vim.diagnostic.get(buf))
    end
    local handle = io.open(os.getenv("ORCHARD_RESULT"), "w")
    handle:write(vim.fn.json_encode(result))
    handle:close()
    vim.cmd("qall!")
  end)
end })
