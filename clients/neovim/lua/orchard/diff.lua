-- The diff tab (`:Orchard diff`): one agent's change from orchard.agentDiff, file by file, as two
-- read-only scratch buffers (the task's snapshot and the agent's result) in diff mode; `]f`/`[f`
-- move between files. Writes nothing to disk or to the user's buffers.
local commands = require("orchard.commands")

local M = {}

local function filetype_of(path)
  if vim.filetype and vim.filetype.match then
    local ok, ft = pcall(vim.filetype.match, { filename = path })
    if ok and type(ft) == "string" then return ft end
  end
end

local function fill(buf, name, text, filetype)
  pcall(vim.api.nvim_buf_set_name, buf, name)
  vim.bo[buf].buftype, vim.bo[buf].bufhidden, vim.bo[buf].swapfile = "nofile", "wipe", false
  local lines = {}
  if type(text) == "string" then
    lines = vim.split(text, "\n", { plain = true })
    if lines[#lines] == "" then table.remove(lines) end
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable, vim.bo[buf].modified = false, false
  if filetype then vim.bo[buf].filetype = filetype end
end

local function show(tab_state, index)
  local file = tab_state.files[index]
  tab_state.index = index
  local where = ("orchard://%s/%s/"):format(tab_state.task, tab_state.agent)
  local label = ("(%d/%d) "):format(index, #tab_state.files)
  local ft = filetype_of(file.path)
  vim.cmd("diffoff!")
  local base_text = file.binary and "(binary file)" or file.base
  local result_text = file.binary and "(binary file)" or file.result
  fill(tab_state.base_buf, where .. "base/" .. (file.old_path ~= vim.NIL and file.old_path or file.path), base_text, ft)
  fill(tab_state.result_buf, where .. "result/" .. file.path, result_text, ft)
  for _, win in ipairs({ tab_state.base_win, tab_state.result_win }) do
    vim.api.nvim_win_call(win, function() vim.cmd("diffthis") end)
  end
  vim.api.nvim_echo({ { "Orchard diff " .. label .. file.path .. "   ]f next file  [f previous  q close tab" } }, false, {})
end

local function map_keys(tab_state, buf)
  local function move(step)
    return function()
      local next_index = (tab_state.index - 1 + step) % #tab_state.files + 1
      show(tab_state, next_index)
    end
  end
  local opts = { noremap = true, silent = true, nowait = true }
  vim.api.nvim_buf_set_keymap(buf, "n", "]f", "", vim.tbl_extend("force", opts, { callback = move(1) }))
  vim.api.nvim_buf_set_keymap(buf, "n", "[f", "", vim.tbl_extend("force", opts, { callback = move(-1) }))
  vim.api.nvim_buf_set_keymap(buf, "n", "q", "<cmd>tabclose<cr>", opts)
end

local function open_tab(task, agent, files)
  if #files == 0 then return commands.notify_warn(("%s/%s changed no file"):format(task, agent)) end
  vim.cmd("tabnew")
  local tab_state = { task = task, agent = agent, files = files, index = 1 }
  tab_state.base_win = vim.api.nvim_get_current_win()
  tab_state.base_buf = vim.api.nvim_get_current_buf()
  vim.cmd("vertical rightbelow new")
  tab_state.result_win = vim.api.nvim_get_current_win()
  tab_state.result_buf = vim.api.nvim_get_current_buf()
  vim.t.orchard_diff = { task = task, agent = agent }
  map_keys(tab_state, tab_state.base_buf)
  map_keys(tab_state, tab_state.result_buf)
  show(tab_state, 1)
end

---Open a diff tab for `agent` of `task` (defaults: the current task, its recommended agent).
function M.open(task, agent)
  local function with_task(task_id)
    if agent then
      return commands.call("orchard.agentDiff", { task = task_id, agent = agent }, function(r)
        open_tab(task_id, agent, r.files or {})
      end)
    end
    commands.call("orchard.showTask", { task = task_id }, function(view)
      local picked = commands.pick_agent(view)
      if not picked then return commands.notify_warn(task_id .. " has no committed agent yet") end
      agent = picked
      with_task(task_id)
    end)
  end
  if task then return with_task(task) end
  commands.newest_task(with_task)
end

return M
