-- `:Orchard review`'s report in the diagnostic UI: each finding on its file's buffer (loaded if
-- need be) under the source "orchard-review", in the plugin's own namespace so the next review
-- replaces the last. The findings of a task's agents come from the server as diagnostics.
local M = {}

local NS = vim.api.nvim_create_namespace("orchard-review-report")
local SEVERITY = {
  error = vim.diagnostic.severity.ERROR,
  warning = vim.diagnostic.severity.WARN,
  info = vim.diagnostic.severity.INFO,
  hint = vim.diagnostic.severity.HINT,
}

M.namespace = NS

local function diagnostic_of(finding, bufnr)
  local line = math.max((finding.line or 1) - 1, 0)
  local last = math.max((finding.end_line or finding.line or 1) - 1, line)
  local last_text = vim.api.nvim_buf_get_lines(bufnr, last, last + 1, false)[1] or ""
  local rule = finding.rule ~= vim.NIL and finding.rule or nil
  return {
    lnum = line, col = 0, end_lnum = last, end_col = #last_text,
    severity = SEVERITY[finding.severity] or vim.diagnostic.severity.WARN,
    message = finding.message, source = "orchard-review", code = rule,
    user_data = { replacement = finding.replacement },
  }
end

---Show `report` (orchard.review's answer) for the repository at `root`; return how many shown.
function M.show(report, root)
  vim.diagnostic.reset(NS)
  local by_buffer = {}
  for _, finding in ipairs(report.findings or {}) do
    local bufnr = vim.fn.bufadd(root .. "/" .. finding.file)
    vim.fn.bufload(bufnr)
    by_buffer[bufnr] = by_buffer[bufnr] or {}
    table.insert(by_buffer[bufnr], diagnostic_of(finding, bufnr))
  end
  local shown = 0
  for bufnr, diagnostics in pairs(by_buffer) do
    vim.diagnostic.set(NS, bufnr, diagnostics)
    shown = shown + #diagnostics
  end
  return shown
end

return M
