-- Defines `:Orchard` and nothing else; the plugin's modules load when the command first runs.
if vim.g.loaded_orchard then return end
vim.g.loaded_orchard = true

vim.api.nvim_create_user_command("Orchard", function(opts)
  require("orchard.commands").run(opts)
end, {
  nargs = "*",
  range = true,
  desc = "Orchard: start|fix|tasks|diff|accept|cancel|discard|review|map|memory",
  complete = function(arg_lead, cmd_line)
    return require("orchard.commands").complete(arg_lead, cmd_line)
  end,
})
