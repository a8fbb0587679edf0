-- The `orchard` client configuration for Neovim 0.11+'s vim.lsp.enable("orchard"): the plugin's
-- options in force (defaults until setup() ran), merged under whatever vim.lsp.config adds.
local config = require("orchard.client").lsp_config()
config.name = nil
return config
