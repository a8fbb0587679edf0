-- Headless scenario for the Orchard plugin (clients/neovim) against the real server: start a
-- best-of-2 task through :Orchard start, watch the task list fill, open :Orchard diff, accept
-- (and undo), review, and :checkhealth orchard. Each step's observations go to $ORCHARD_RESULT
-- as JSON as soon as they are made, so a failed step still leaves the earlier ones.
vim.opt.rtp:prepend(os.getenv("ORCHARD_PLUGIN"))
vim.cmd("runtime plugin/orchard.lua")
vim.o.hidden = true
require("orchard").setup({ progress_notify = true, refresh_ms = 300,
  cmd = os.getenv("ORCHARD_LOG") and { "orchard", "serve", "--log-file", os.getenv("ORCHARD_LOG") } or nil })

local result = { steps = {}, notices = {} }
local function save()
  local handle = io.open(os.getenv("ORCHARD_RESULT"), "w")
  handle:write(vim.fn.json_encode(result))
  handle:close()
end

local notify = vim.notify
vim.notify = function(message, level, opts)
  table.insert(result.notices, { message = tostring(message), level = level or vim.log.levels.INFO })
  return notify(message, level, opts)
end

-- Neovim's own progress event (0.10+), as statusline plugins see it.
result.lsp_progress = {}
pcall(vim.api.nvim_create_autocmd, "LspProgress", { callback = function(args)
  local value = args.data and args.data.params and args.data.params.value or {}
  if value.kind == "begin" then table.insert(result.lsp_progress, value.title) end
end })

local function wait(ms, predicate) return vim.wait(ms, predicate, 100) end

local function client()
  return require("orchard.client").clients()[1]
end

local function has_command(name)
  return vim.tbl_contains(require("orchard.client").server_commands(client()), name)
end

local function lines(buf) return vim.api.nvim_buf_get_lines(buf, 0, -1, false) end

local steps = {}

function steps.attach(state)
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("ORCHARD_FILE")))
  state.source = vim.api.nvim_get_current_buf()
  local attached = wait(60000, function()
    local c = client()
    return c ~= nil and c.initialized ~= false and #require("orchard.client").clients(state.source) > 0
      and c.server_capabilities ~= nil
  end)
  return { attached = attached, clients = #require("orchard.client").clients(),
    commands = require("orchard.client").server_commands(client()) }
end

function steps.start(state)
  local asked = {}
  vim.ui.input = function(opts, on_confirm)
    asked.input = opts.prompt
    on_confirm(os.getenv("ORCHARD_REQUEST"))
  end
  vim.ui.select = function(items, opts, on_choice)
    asked.select = items
    on_choice(items[1], 1)
  end
  vim.cmd("Orchard start")
  local state_mod = require("orchard.state")
  wait(180000, function() return state_mod.task ~= nil end)
  state.task = state_mod.task
  asked.task = state.task
  return asked
end

function steps.tasks(state)
  assert(state.task, "no task was started")
  vim.cmd("Orchard tasks")
  local buf = require("orchard.tasks").buf
  local done = wait(300000, function()
    local text = table.concat(lines(buf), "\n")
    return text:find(vim.pesc(state.task) .. "%s+done") ~= nil
  end)
  local keymaps = {}
  for _, map in ipairs(vim.api.nvim_buf_get_keymap(buf, "n")) do table.insert(keymaps, map.lhs) end
  local shown = lines(buf)
  vim.cmd("close")
  return { done = done, lines = shown, keymaps = keymaps, status = require("orchard").status() }
end

local function review_diagnostics()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get()) do
    if d.source == "orchard-review" then
      table.insert(found, { message = d.message, file = vim.api.nvim_buf_get_name(d.bufnr),
        lnum = d.lnum, severity = d.severity })
    end
  end
  table.sort(found, function(a, b) return a.message < b.message end)
  return found
end

function steps.task_review()
  wait(60000, function() return #review_diagnostics() >= 2 end)
  return { diagnostics = review_diagnostics() }
end

function steps.diff(state)
  if not has_command("orchard.agentDiff") then return { missing = "orchard.agentDiff" } end
  vim.cmd("Orchard diff")
  local opened = wait(60000, function() return vim.fn.tabpagenr("$") == 2 end)
  local windows = {}
  if opened then
    wait(5000, function() return #vim.api.nvim_tabpage_list_wins(0) == 2 end)
    for _, win in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
      local buf = vim.api.nvim_win_get_buf(win)
      table.insert(windows, { diff = vim.wo[win].diff, name = vim.api.nvim_buf_get_name(buf),
        lines = lines(buf), modifiable = vim.bo[buf].modifiable })
    end
    vim.cmd("tabclose")
  end
  return { opened = opened, windows = windows, tabs = vim.fn.tabpagenr("$") }
end

function steps.accept(state)
  if not has_command("orchard.acceptAgent") then return { missing = "orchard.acceptAgent" } end
  vim.api.nvim_set_current_buf(state.source)
  local before = lines(state.source)
  vim.cmd("Orchard accept")
  local changed = wait(60000, function() return not vim.deep_equal(lines(state.source), before) end)
  local after = lines(state.source)
  vim.api.nvim_set_current_buf(state.source)
  vim.cmd("normal! u")
  return { changed = changed, before = before, after = after, undone = lines(state.source) }
end

function steps.review(state)
  if not has_command("orchard.review") then return { missing = "orchard.review" } end
  vim.api.nvim_set_current_buf(state.source)
  vim.cmd("silent! normal! " .. vim.api.nvim_replace_termcodes("<C-r>", true, false, true))
  vim.cmd("silent write") -- the accepted change, saved: the review reads the working tree
  vim.cmd("Orchard review")
  local finding = os.getenv("ORCHARD_FINDING")
  wait(120000, function()
    for _, d in ipairs(review_diagnostics()) do
      if d.message == finding then return true end
    end
    return false
  end)
  return { diagnostics = review_diagnostics() }
end

function steps.health()
  vim.cmd("checkhealth orchard")
  local text = lines(vim.api.nvim_get_current_buf())
  return { lines = text }
end

-- "Orchard: send agents…" through Neovim's own code action UI: the plugin's client-side
-- orchard.startTask handler asks for the request the action leaves out, then starts the task.
function steps.code_action(state)
  vim.api.nvim_set_current_buf(state.source)
  local asked = { titles = {} }
  vim.ui.input = function(opts, on_confirm)
    asked.input = opts.prompt
    on_confirm("a request typed for the code action")
  end
  vim.ui.select = function(items, opts, on_choice)
    for index, item in ipairs(items) do
      local title = opts.format_item and opts.format_item(item) or tostring(item)
      table.insert(asked.titles, title)
      if title:find("send agents", 1, true) then return on_choice(item, index) end
    end
    on_choice(nil, nil)
  end
  local before = require("orchard.state").task
  if vim.fn.has("nvim-0.8") == 1 then
    vim.lsp.buf.code_action({ range = { start = { 1, 0 }, ["end"] = { 2, 0 } } })
  else
    vim.lsp.buf.range_code_action(nil, { 1, 0 }, { 2, 0 })
  end
  wait(120000, function() return require("orchard.state").task ~= before end)
  asked.task = require("orchard.state").task
  asked.previous = before
  return asked
end

-- :Orchard fix on the review finding under the cursor, one model picked: the task's spec is what
-- the server journaled (request, model, editable file, selected lines).
function steps.fix(state)
  vim.api.nvim_set_current_buf(state.source)
  vim.api.nvim_win_set_cursor(0, { 2, 4 })
  local asked = {}
  vim.ui.select = function(items, _, on_choice)
    asked.select = items
    on_choice(items[3], 3)
  end
  local before = require("orchard.state").task
  vim.cmd("Orchard fix")
  wait(120000, function() return require("orchard.state").task ~= before end)
  local task = require("orchard.state").task
  if task == before then return asked end
  require("orchard.commands").call("orchard.showTask", { task = task }, function(view)
    asked.spec = view.spec
  end)
  wait(60000, function() return asked.spec ~= nil end)
  return asked
end

local ORDER = { "attach", "start", "tasks", "task_review", "diff", "accept", "review", "health", "code_action",
  "fix" }

vim.api.nvim_create_autocmd("VimEnter", { callback = function()
  vim.schedule(function()
    local state = {}
    for _, name in ipairs(ORDER) do
      local ok, observed = pcall(steps[name], state)
      result.steps[name] = ok and observed or { error = tostring(observed) }
      save()
      if not ok then break end
    end
    result.messages = vim.fn.execute("messages")
    result.finished = true
    save()
    vim.cmd("qall!")
  end)
end })
