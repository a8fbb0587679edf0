-- Orchard for Neovim: `setup(opts)` puts the options in force, defines the highlight groups and
-- starts the language server client; `status()` feeds a statusline. Everything else loads on
-- first use of `:Orchard` (plugin/orchard.lua).
local M = {}

M.highlight_links = {
  OrchardHeader = "Title",
  OrchardTaskRunning = "DiagnosticInfo",
  OrchardTaskDone = "DiagnosticOk",
  OrchardTaskFailed = "DiagnosticError",
  OrchardRecommended = "DiagnosticHint",
}

---Define the highlight groups (as links, so a colorscheme may override them).
function M.highlights()
  for group, link in pairs(M.highlight_links) do
    if link == "DiagnosticOk" and vim.fn.hlexists("DiagnosticOk") == 0 then link = "String" end
    vim.api.nvim_set_hl(0, group, { link = link, default = true })
  end
end

---Put `opts` in force (see :help orchard-options) and start the client unless auto_start = false.
function M.setup(opts)
  local options = require("orchard.config").apply(opts)
  M.highlights()
  if options.auto_start then require("orchard.client").start() end
  return options
end

---The running agents' progress as one line ("" when none), for a statusline.
function M.status()
  return require("orchard.progress").status()
end

return M
