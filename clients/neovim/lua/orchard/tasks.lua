-- The task list window (`:Orchard tasks`): each task with its agents' states, tokens, cost and
-- the judge's recommendation, the keys shown on top; it refreshes on orchard/taskChanged and
-- while a task runs. Asks the server through orchard.commands; owns no task state of its own.
local commands = require("orchard.commands")
local config = require("orchard.config")
local state = require("orchard.state")

local M = { buf = nil, rows = {}, timer = nil }

local RUNNING = { running = true, reviewing = true, merging = true, pending = true, queued = true }
local NS = vim.api.nvim_create_namespace("orchard_tasks")

local function number(value, format)
  if value == nil or value == vim.NIL then return "-" end
  return format:format(value)
end

local function count(value)
  if type(value) == "table" then return #value end
  return value
end

local function run_line(run, recommended)
  local mark = (recommended and run.agent == recommended) and "*" or " "
  return ("  %s %-10s %-24s %-10s tokens %-7s cost %-8s files %-3s findings %s"):format(
    mark, run.agent, run.model or "", run.state, number(run.tokens, "%d"),
    number(run.cost_usd, "$%.4f"), number(count(run.files), "%d"), number(count(run.findings), "%d"))
end

local function header()
  local keys, parts = config.options.keys, {}
  for _, name in ipairs({ "open", "diff", "accept", "discard", "cancel", "refresh", "close" }) do
    if keys[name] then table.insert(parts, keys[name] .. " " .. name) end
  end
  return "Orchard tasks   " .. table.concat(parts, "  ")
end

-- Lines for `tasks` and, per line, the task and agent it stands for.
function M.render(tasks)
  local lines, rows, marks = { header(), "" }, { {}, {} }, {}
  for _, task in ipairs(tasks) do
    local rec = type(task.recommendation) == "table" and task.recommendation.agent or nil
    if rec == vim.NIL then rec = nil end
    local request = (task.request or ""):gsub("%s+", " "):sub(1, 60)
    local line = ("%s  %-9s %-9s %s"):format(task.id, task.state, task.mode or "", request)
    if rec then line = line .. "   recommended: " .. rec end
    table.insert(lines, line)
    table.insert(rows, { task = task.id })
    table.insert(marks, { #lines, RUNNING[task.state] and "OrchardTaskRunning"
      or (task.state == "failed" and "OrchardTaskFailed" or "OrchardTaskDone") })
    for _, run in ipairs(task.runs or {}) do
      table.insert(lines, run_line(run, rec))
      table.insert(rows, { task = task.id, agent = run.agent })
      if rec == run.agent then table.insert(marks, { #lines, "OrchardRecommended" }) end
    end
  end
  if #tasks == 0 then table.insert(lines, "no tasks yet: :Orchard start") end
  return lines, rows, marks
end

local function draw(tasks)
  local buf = M.buf
  if not buf or not vim.api.nvim_buf_is_valid(buf) then return end
  local lines, rows, marks = M.render(tasks)
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  M.rows = rows
  vim.api.nvim_buf_clear_namespace(buf, NS, 0, -1)
  table.insert(marks, { 1, "OrchardHeader" })
  for _, mark in ipairs(marks) do
    local row = mark[1] - 1
    vim.api.nvim_buf_set_extmark(buf, NS, row, 0, { end_col = #lines[mark[1]], hl_group = mark[2] })
  end
  M.running = false
  for _, task in ipairs(tasks) do
    if RUNNING[task.state] then M.running = true end
  end
end

---Ask the server for the tasks and redraw the window (if it is open).
function M.refresh()
  if not M.buf or not vim.api.nvim_buf_is_valid(M.buf) then return end
  commands.call("orchard.listTasks", nil, function(tasks)
    draw(type(tasks) == "table" and tasks or {})
  end)
end

local function row_here()
  return M.rows[vim.api.nvim_win_get_cursor(0)[1]] or {}
end

local function on_row(fn)
  return function()
    local row = row_here()
    if not row.task then return end
    state.task = row.task
    fn(row)
  end
end

local actions = {
  open = on_row(function(row)
    if row.agent then return require("orchard.diff").open(row.task, row.agent) end
    commands.call("orchard.showTask", { task = row.task }, function(view)
      local text = ("%s: %s (%s)"):format(view.id, view.state, view.request or "")
      if view.error and view.error ~= vim.NIL then text = text .. "\n" .. view.error end
      vim.notify(text, vim.log.levels.INFO, { title = "Orchard" })
    end)
  end),
  diff = on_row(function(row) require("orchard.diff").open(row.task, row.agent) end),
  accept = on_row(function(row) commands.subcommands.accept({ row.agent, row.task }) end),
  discard = on_row(function(row) commands.subcommands.discard({ row.task }) end),
  cancel = on_row(function(row) commands.subcommands.cancel({ row.task, row.agent }) end),
  refresh = function() M.refresh() end,
  close = function() vim.cmd("close") end,
}

local function tick()
  if not M.buf or not vim.api.nvim_buf_is_valid(M.buf) then
    if M.timer then M.timer:stop(); M.timer:close(); M.timer = nil end
    return
  end
  if M.running then M.refresh() end
end

---Open (or focus) the task list window.
function M.open()
  if M.buf and vim.api.nvim_buf_is_valid(M.buf) then
    local win = vim.fn.bufwinid(M.buf)
    if win ~= -1 then vim.api.nvim_set_current_win(win) else vim.cmd("botright sbuffer " .. M.buf) end
    return M.refresh()
  end
  vim.cmd("botright 12new")
  M.buf = vim.api.nvim_get_current_buf()
  local buf = M.buf
  vim.bo[buf].buftype, vim.bo[buf].bufhidden, vim.bo[buf].swapfile = "nofile", "wipe", false
  vim.bo[buf].filetype = "orchard-tasks"
  pcall(vim.api.nvim_buf_set_name, buf, "orchard://tasks")
  vim.wo.wrap, vim.wo.number, vim.wo.cursorline = false, false, true
  for name, key in pairs(config.options.keys) do
    if key and actions[name] then
      vim.api.nvim_buf_set_keymap(buf, "n", key, "", { nowait = true, noremap = true,
        silent = true, callback = actions[name], desc = "Orchard: " .. name })
    end
  end
  M.running = true
  if not M.timer then
    M.timer = (vim.uv or vim.loop).new_timer()
    M.timer:start(config.options.refresh_ms, config.options.refresh_ms, vim.schedule_wrap(tick))
  end
  draw({})
  M.refresh()
end

state.subscribe(function() vim.schedule(M.refresh) end)

return M
