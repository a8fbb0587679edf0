-- The plugin's options: their defaults, the merge of the user's `setup(opts)`, and a warning for
-- every key it does not know. Holds no LSP or UI code; every option is documented in
-- doc/orchard.txt (a test keeps the two in step).
local M = {}

---@class OrchardOptions
M.defaults = {
  -- The server command (a list: program and arguments).
  cmd = { "orchard", "serve" },
  -- Files or folders whose nearest parent folder is the repository root.
  root_markers = { ".git" },
  -- Filetypes the server attaches to; nil attaches to every file buffer.
  filetypes = nil,
  -- Orchard's own settings, sent as the `orchard` settings section (same keys as .orchard.toml).
  settings = {},
  -- Start the client from setup() (vim.lsp.enable on 0.11+, an autocommand before).
  auto_start = true,
  -- Ask which models to send with vim.ui.select when the server has more than one.
  ask_models = true,
  -- Agents per model for :Orchard start; nil leaves it to the server's settings.
  agents = nil,
  -- Task mode for :Orchard start: "best_of_n" or "fan_out".
  mode = "best_of_n",
  -- Notify when an agent's progress begins and ends (vim.notify, scheduled).
  progress_notify = true,
  -- How often an open task list refreshes itself while a task runs, in milliseconds.
  refresh_ms = 1000,
  -- How long a command waits for the server's answer, in milliseconds.
  timeout_ms = 30000,
  -- Keys in the task list window (buffer-local, normal mode); false disables one.
  keys = {
    open = "<CR>",
    diff = "d",
    accept = "a",
    discard = "x",
    cancel = "c",
    refresh = "r",
    close = "q",
  },
}

M.options = vim.deepcopy(M.defaults)

local function warn(message)
  vim.schedule(function() vim.notify("orchard: " .. message, vim.log.levels.WARN) end)
end

-- Options whose default is nil are still known keys.
local NIL_DEFAULTS = { filetypes = true, agents = true }

-- Drop from `given` (in place) the keys `known` does not have, recording their dotted names.
-- Nested tables are checked where the default is a table with named keys; `settings` is the
-- server's business and is passed through as it is.
local function drop_unknown(given, known, prefix, found)
  for key, value in pairs(given) do
    local name = prefix .. tostring(key)
    local default = known[key]
    if default == nil and not (prefix == "" and NIL_DEFAULTS[key]) then
      table.insert(found, name)
      given[key] = nil
    elseif type(value) == "table" and type(default) == "table" and name ~= "settings"
      and next(default) ~= nil and not (vim.islist or vim.tbl_islist)(default) then
      drop_unknown(value, default, name .. ".", found)
    end
  end
  return found
end

---Merge `opts` over the defaults and warn about keys the plugin does not know.
---@param opts table|nil
---@return table options in force
function M.apply(opts)
  opts = vim.deepcopy(opts or {})
  local unknown = drop_unknown(opts, M.defaults, "", {})
  table.sort(unknown)
  if #unknown > 0 then warn("unknown option(s) ignored: " .. table.concat(unknown, ", ")) end
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts)
  return M.options
end

---The `orchard` settings section as JSON will carry it (never an empty array for a table).
function M.settings_section()
  local section = M.options.settings or {}
  if next(section) == nil then section = vim.empty_dict() end
  return { orchard = section }
end

return M
