-- What the plugin remembers between commands: the current task (the last one started or picked
-- in the task list) and who wants to hear that a task changed. No LSP calls, no windows.
local M = { task = nil, listeners = {} }

---Call `fn(view)` whenever the server reports a task changed (orchard/taskChanged).
function M.subscribe(fn)
  table.insert(M.listeners, fn)
end

---Called by the client's orchard/taskChanged handler with the orchard.showTask shape.
function M.on_task_changed(view)
  for _, fn in ipairs(M.listeners) do
    local ok, err = pcall(fn, view)
    if not ok then vim.schedule(function() vim.notify("orchard: " .. err, vim.log.levels.ERROR) end) end
  end
end

return M
