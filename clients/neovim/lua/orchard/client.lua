-- The LSP client of `orchard serve` across Neovim versions: starting it (vim.lsp.enable on 0.11+,
-- vim.lsp.start on 0.8-0.10, start_client + buf_attach_client on 0.7, one client per root),
-- finding it, and sending it commands. Knows nothing of windows or of what the commands mean.
local config = require("orchard.config")
local progress = require("orchard.progress")

local M = {}

local has_enable = vim.lsp.enable ~= nil and vim.lsp.config ~= nil -- 0.11+
local has_start = vim.lsp.start ~= nil -- 0.8+

local function notify(message, level)
  vim.schedule(function() vim.notify("orchard: " .. message, level or vim.log.levels.INFO) end)
end
M.notify = notify

---Every running orchard client (optionally only those attached to `bufnr`).
function M.clients(bufnr)
  local all
  if vim.lsp.get_clients then
    all = vim.lsp.get_clients({ name = "orchard", bufnr = bufnr })
  else
    all = {}
    local source = bufnr and vim.lsp.buf_get_clients(bufnr) or vim.lsp.get_active_clients()
    for _, client in pairs(source) do
      if client.name == "orchard" then table.insert(all, client) end
    end
  end
  return all
end

---The client for the current buffer, else the one whose root holds the cwd, else any.
function M.current()
  local attached = M.clients(vim.api.nvim_get_current_buf())
  if attached[1] then return attached[1] end
  local cwd = vim.fn.getcwd()
  local all = M.clients()
  for _, client in ipairs(all) do
    local root = client.config.root_dir
    if root and (cwd == root or cwd:sub(1, #root + 1) == root .. "/") then return client end
  end
  return all[1]
end

-- Ask for the request text when a code action's orchard.startTask arrives without it, then send
-- the completed command to the server.
local function start_task_command(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local argument = (command.arguments or {})[1] or {}
  local function send(args)
    M.execute(client, "orchard.startTask", args, function(err, result)
      if err then return notify(err.message, vim.log.levels.ERROR) end
      require("orchard.state").task = result.task
      notify("task " .. result.task .. " started")
    end)
  end
  if argument.request and argument.request ~= "" then return send(argument) end
  vim.ui.input({ prompt = "Orchard request: " }, function(text)
    if not text or vim.trim(text) == "" then return end
    argument = vim.deepcopy(argument)
    argument.request = text
    send(argument)
  end)
end

local function task_changed(_, params)
  require("orchard.state").on_task_changed(params)
end

---The client configuration every version starts with (options in force applied).
function M.lsp_config()
  local opts = config.options
  return {
    name = "orchard",
    cmd = opts.cmd,
    root_markers = opts.root_markers,
    filetypes = opts.filetypes,
    settings = config.settings_section(),
    commands = { ["orchard.startTask"] = start_task_command },
    handlers = {
      ["$/progress"] = progress.handler,
      ["orchard/taskChanged"] = task_changed,
    },
  }
end

-- The repository root of a buffer: the nearest parent holding a root marker, else the cwd.
local function root_of(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local dir = name ~= "" and vim.fn.fnamemodify(name, ":p:h") or vim.fn.getcwd()
  for _, marker in ipairs(config.options.root_markers) do
    local found = vim.fn.finddir(marker, dir .. ";")
    if found == "" then found = vim.fn.findfile(marker, dir .. ";") end
    if found ~= "" then return vim.fn.fnamemodify(found, ":p:h:h"):gsub("/$", "") end
  end
  return vim.fn.getcwd()
end

local legacy_clients = {} -- root -> client id, for 0.7's start_client

local function attach(bufnr)
  if vim.bo[bufnr].buftype ~= "" or vim.api.nvim_buf_get_name(bufnr) == "" then return end
  local lsp = M.lsp_config()
  lsp.root_dir = root_of(bufnr)
  lsp.root_markers = nil
  if has_start then
    vim.lsp.start(lsp, { bufnr = bufnr })
    return
  end
  local id = legacy_clients[lsp.root_dir]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(lsp)
    legacy_clients[lsp.root_dir] = id
  end
  if id then vim.lsp.buf_attach_client(bufnr, id) end
end

local started = false

---Start the client for this Neovim: vim.lsp.enable (0.11+), else a FileType autocommand.
function M.start()
  if has_enable then
    local lsp = M.lsp_config()
    lsp.name = nil
    vim.lsp.config("orchard", lsp)
    vim.lsp.enable("orchard")
    return
  end
  if started then return end
  started = true
  local group = vim.api.nvim_create_augroup("orchard_start", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.options.filetypes or "*",
    callback = function(args) attach(args.buf) end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].filetype ~= "" then attach(bufnr) end
  end
end

---Send `method` to `client`; `handler(err, result)` runs on the main loop.
function M.request(client, method, params, handler, bufnr)
  local function done(err, result) handler(err, result) end
  if vim.fn.has("nvim-0.11") == 1 then
    return client:request(method, params, done, bufnr)
  end
  return client.request(method, params, done, bufnr)
end

---Run the server command `name` with ONE object argument; `handler(err, result)`.
function M.execute(client, name, argument, handler)
  if not client then
    return handler({ message = "no Orchard server is running (open a file in a repository)" })
  end
  if argument == nil or (type(argument) == "table" and next(argument) == nil) then
    argument = vim.empty_dict()
  end
  local params = { command = name, arguments = { argument } }
  return M.request(client, "workspace/executeCommand", params, handler)
end

---The server's commands (from its capabilities).
function M.server_commands(client)
  local caps = client and client.server_capabilities or (client and client.resolved_capabilities)
  local provider = caps and caps.executeCommandProvider
  return provider and provider.commands or {}
end

return M
