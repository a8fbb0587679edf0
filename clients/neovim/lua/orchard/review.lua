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

local function diagnostic_of(finding)
  local line = math.max((finding.line or 1) - 1, 0)
  local last = math.max((finding.end_line or finding.line or 1) - 1, line)
  local rule = finding.rule ~= vim.NIL and finding.rule or nil
  return {
    lnum = line, col = 0, end_lnum = last, end_col = 0,
    severity = SEVERITY[finding.severity] or vim.diagnostic.severity.WARN,
    message = finding.message, source = "orchard-review", code = rule,
    user_data = { replacement = finding.replacement },
  }
end

---Show `report` (orchard.review's answer) for the repository at `root`; return how many shown.
function M.show(report, root)
  vim.diagnostic.reset(NS)
  local by_file = {}
  for _, finding in ipairs(report.findings or {}) do
    by_file[finding.file] = by_file[finding.file] or {}
    table.insert(by_file[finding.file], diagnostic_of(finding))
  end
  local shown = 0
  for file, diagnostics in pairs(by_file) do
    local bufnr = vim.fn.bufadd(root .. "/" .. file)
    vim.fn.bufload(bufnr)
    vim.diagnostic.set(NS, bufnr, diagnostics)
    shown = shown + #diagnostics
  end
  return shown
end

return M
