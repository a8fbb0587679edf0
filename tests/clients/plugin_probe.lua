-- Headless probe of the plugin without a server: `packadd` installs it, what plugin/orchard.lua loads, :Orchard's
-- completion, setup()'s warnings for unknown keys, and the names doc/orchard.txt must cover.
-- Writes JSON to $ORCHARD_RESULT and quits.
-- Installed as a plain package: $ORCHARD_PACK/pack/orchard/opt/orchard links to the plugin.
vim.opt.packpath:prepend(os.getenv("ORCHARD_PACK"))
vim.cmd("packadd orchard")
local result = { loaded_after_plugin = {}, notices = {} }
for name in pairs(package.loaded) do
  if name:match("^orchard") then table.insert(result.loaded_after_plugin, name) end
end
result.command = vim.fn.exists(":Orchard") == 2
result.completion = vim.fn.getcompletion("Orchard ", "cmdline")
result.completion_st = vim.fn.getcompletion("Orchard st", "cmdline")

vim.notify = function(message, level)
  table.insert(result.notices, { message = message, level = level })
end
local options = require("orchard").setup({ auto_start = false, bogus = 1, keys = { nope = "z", diff = "D" } })
vim.wait(1000, function() return #result.notices > 0 end, 20)
result.options = { bogus = options.bogus, keys = options.keys, cmd = options.cmd }

local config = require("orchard.config")
result.option_names = vim.tbl_keys(config.defaults)
for _, name in ipairs({ "filetypes", "agents" }) do table.insert(result.option_names, name) end
result.key_names = vim.tbl_keys(config.defaults.keys)
result.subcommands = vim.tbl_keys(require("orchard.commands").subcommands)
result.highlights = vim.tbl_keys(require("orchard").highlight_links)
result.highlights_defined = {}
for group in pairs(require("orchard").highlight_links) do
  result.highlights_defined[group] = vim.fn.hlexists(group) == 1
end
result.settings_json = vim.fn.json_encode(config.settings_section())
result.lsp_config = dofile(os.getenv("ORCHARD_PLUGIN") .. "/lsp/orchard.lua").cmd

local handle = io.open(os.getenv("ORCHARD_RESULT"), "w")
handle:write(vim.fn.json_encode(result))
handle:close()
vim.cmd("qall!")
