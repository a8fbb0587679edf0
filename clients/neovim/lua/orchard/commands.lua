-- The `:Orchard {subcommand}` dispatcher and its completion: start, fix, tasks, diff, accept,
-- cancel, discard, review, map, memory. Each asks the server through orchard.client and shows
-- the answer; the task list and the diff tab live in their own modules.
local client = require("orchard.client")
local config = require("orchard.config")
local state = require("orchard.state")

local M = {}
local ERROR, WARN = vim.log.levels.ERROR, vim.log.levels.WARN
local notify = client.notify

---Warn the user (scheduled).
function M.notify_warn(message) notify(message, WARN) end

local function failed(err)
  notify(err.message or tostring(err), ERROR)
end

---Run `name` on the current client; `on_result(result)` only when it succeeded.
function M.call(name, argument, on_result)
  client.execute(client.current(), name, argument, function(err, result)
    if err then return failed(err) end
    on_result(result)
  end)
end

local function newest_task(on_task)
  if state.task then return on_task(state.task) end
  M.call("orchard.listTasks", nil, function(tasks)
    if not tasks or not tasks[1] then return notify("no task yet: :Orchard start", WARN) end
    state.task = tasks[1].id
    on_task(state.task)
  end)
end
M.newest_task = newest_task

-- The recommended agent, else the only (or first) committed one.
function M.pick_agent(view)
  local recommended = type(view.recommendation) == "table" and view.recommendation.agent
  if recommended and recommended ~= vim.NIL then return recommended end
  for _, run in ipairs(view.runs or {}) do
    if run.state == "committed" then return run.agent end
  end
end

local function selection_of(range)
  if not range then return nil end
  return {
    uri = vim.uri_from_bufnr(0),
    range = {
      start = { line = range[1] - 1, character = 0 },
      ["end"] = { line = range[2], character = 0 },
    },
  }
end

local function send_task(argument)
  M.call("orchard.startTask", argument, function(result)
    state.task = result.task
    notify("task " .. result.task .. " started (:Orchard tasks to follow it)")
  end)
end

-- Ask which models to send when the server offers more than one (all of them is the first
-- choice), then send.
local function with_models(argument)
  if not config.options.ask_models then return send_task(argument) end
  M.call("orchard.showSettings", nil, function(settings)
    local models = {}
    for _, entry in ipairs(settings.models or {}) do
      table.insert(models, type(entry) == "table" and entry.model or entry)
    end
    if #models < 2 then return send_task(argument) end
    local all = "all " .. #models .. " models"
    vim.ui.select({ all, unpack(models) }, { prompt = "Orchard models" }, function(choice)
      if not choice then return end
      if choice ~= all then argument.models = { choice } end
      send_task(argument)
    end)
  end)
end

local function start(words, range, request)
  local argument = { mode = config.options.mode, agents = config.options.agents }
  argument.selection = selection_of(range)
  if vim.api.nvim_buf_get_name(0) ~= "" and vim.bo.buftype == "" then
    argument.files = { vim.uri_from_bufnr(0) }
  end
  local text = request or table.concat(words, " ")
  if text ~= "" then
    argument.request = text
    return with_models(argument)
  end
  vim.ui.input({ prompt = "Orchard request: " }, function(input)
    if not input or vim.trim(input) == "" then return end
    argument.request = input
    with_models(argument)
  end)
end

-- The diagnostic under the cursor (the first one on the line when none covers the column).
local function diagnostic_here()
  local row, col = unpack(vim.api.nvim_win_get_cursor(0))
  local found = vim.diagnostic.get(0, { lnum = row - 1 })
  for _, d in ipairs(found) do
    if col >= d.col and (d.end_lnum > row - 1 or col <= d.end_col) then return d end
  end
  return found[1]
end

local function fix(words)
  local d = diagnostic_here()
  if not d then return notify("no diagnostic under the cursor", WARN) end
  local line = d.lnum + 1
  local what = (d.source and (d.source .. ": ") or "") .. d.message
  local file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ":.")
  local request = ("Fix this problem at %s:%d: %s"):format(file, line, what)
  if #words > 0 then request = request .. "\n" .. table.concat(words, " ") end
  start({}, { d.lnum + 1, (d.end_lnum or d.lnum) + 1 }, request)
end

local function accept(words)
  local function run(task)
    local argument = { task = task, agent = words[1] }
    M.call("orchard.acceptAgent", argument, function(result)
      local agent = result.agent or "?"
      if not result.applied then
        return notify(("%s/%s was not applied"):format(result.task or task, agent), WARN)
      end
      local conflicts = result.conflicts or {}
      if #conflicts > 0 then
        notify(("accepted %s with conflicts in: %s"):format(agent, table.concat(conflicts, ", ")), WARN)
      else
        notify(("accepted %s (u undoes it in each buffer)"):format(agent))
      end
      state.on_task_changed({ id = task })
    end)
  end
  if words[2] then return run(words[2]) end
  newest_task(run)
end

local function on_task(words, name, done)
  local function run(task) M.call(name, { task = task, agent = words[2] }, function(r) done(task, r) end) end
  if words[1] then return run(words[1]) end
  newest_task(run)
end

local function scratch(name, lines, filetype)
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype, vim.bo[buf].bufhidden, vim.bo[buf].swapfile = "nofile", "wipe", false
  pcall(vim.api.nvim_buf_set_name, buf, name)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  if filetype then vim.bo[buf].filetype = filetype end
  return buf
end

local function review(words)
  local argument = { base = words[1] }
  local root = (client.current() or { config = {} }).config.root_dir or vim.fn.getcwd()
  M.call("orchard.review", argument, function(report)
    local shown = require("orchard.review").show(report, root)
    local what = report.branch ~= vim.NIL and report.branch or (report.base_ref or "HEAD")
    notify(("review of %s: %d finding(s) in the diagnostics (source orchard-review)")
      :format(what, shown), shown > 0 and WARN or nil)
  end)
end

local function map()
  M.call("orchard.repoMap", {}, function(text)
    scratch("orchard://map", vim.split(text or "", "\n"), nil)
  end)
end

local function memory(words)
  local query = table.concat(words, " ")
  if query == "" then return notify(":Orchard memory {query}", WARN) end
  M.call("orchard.searchMemory", { query = query }, function(result)
    local hits = type(result) == "table" and (result.hits or result) or {}
    local items = {}
    for _, hit in ipairs(hits) do
      local loc = hit.uri and hit or (hit.locations and hit.locations[1]) or {}
      local start_pos = loc.range and loc.range.start or { line = 0, character = 0 }
      table.insert(items, {
        filename = loc.uri and vim.uri_to_fname(loc.uri) or hit.path,
        lnum = start_pos.line + 1,
        col = start_pos.character + 1,
        text = ("[%s] %s"):format(hit.kind or "hit", hit.name or hit.request
          or vim.split(hit.text or query, "\n", { plain = true })[1]),
      })
    end
    vim.fn.setqflist({}, " ", { title = "Orchard memory: " .. query, items = items })
    if #items == 0 then return notify("nothing in memory for " .. query, WARN) end
    vim.cmd("copen")
  end)
end

M.subcommands = {
  start = function(words, range) start(words, range) end,
  fix = fix,
  tasks = function() require("orchard.tasks").open() end,
  diff = function(words) require("orchard.diff").open(words[1], words[2]) end,
  accept = accept,
  cancel = function(words)
    on_task(words, "orchard.cancelTask", function(task) notify("cancelled " .. task) end)
  end,
  discard = function(words)
    on_task(words, "orchard.discardTask", function(task)
      if state.task == task then state.task = nil end
      notify("discarded " .. task)
      state.on_task_changed({ id = task })
    end)
  end,
  review = review,
  map = map,
  memory = memory,
}

---Run `:Orchard` with the user command's `opts` (fargs, range, line1, line2).
function M.run(opts)
  local words = vim.deepcopy(opts.fargs or {})
  local name = table.remove(words, 1) or "tasks"
  local handler = M.subcommands[name]
  if not handler then return notify("unknown subcommand " .. name .. " (try :Orchard <Tab>)", ERROR) end
  local range = (opts.range or 0) > 0 and { opts.line1, opts.line2 } or nil
  handler(words, range)
end

---Complete the subcommand (first word) of `:Orchard`.
function M.complete(arg_lead, cmd_line)
  local before = cmd_line:gsub("^%S*%s+", "")
  if before:find("%s") then return {} end
  local names = vim.tbl_keys(M.subcommands)
  table.sort(names)
  return vim.tbl_filter(function(n) return n:sub(1, #arg_lead) == arg_lead end, names)
end

return M
