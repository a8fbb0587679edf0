-- `:checkhealth orchard`: Neovim's version, the `orchard` executable and its version, git's
-- version, the server attached, the models configured and their API key variables. Reads only;
-- starts nothing.
local M = {}

local health = vim.health or require("health")
local function report(kind, ...)
  local modern = health[kind]
  if modern then return modern(...) end
  return health["report_" .. kind](...)
end

-- The environment variable litellm reads for a provider's key.
local KEY_VARIABLES = {
  openai = "OPENAI_API_KEY", anthropic = "ANTHROPIC_API_KEY", gemini = "GEMINI_API_KEY",
  mistral = "MISTRAL_API_KEY", groq = "GROQ_API_KEY", deepseek = "DEEPSEEK_API_KEY",
  openrouter = "OPENROUTER_API_KEY", azure = "AZURE_API_KEY", cohere = "COHERE_API_KEY",
  together_ai = "TOGETHERAI_API_KEY", xai = "XAI_API_KEY", fireworks_ai = "FIREWORKS_API_KEY",
}
local KEYLESS = { ollama = true, ollama_chat = true, lm_studio = true, vllm = true }

local function version_of(command)
  local ok, out = pcall(vim.fn.system, command)
  if not ok or vim.v.shell_error ~= 0 then return nil end
  return vim.trim(out)
end

local function check_neovim()
  local v = vim.version()
  local text = ("Neovim %d.%d.%d"):format(v.major, v.minor, v.patch)
  if vim.fn.has("nvim-0.11") == 1 then
    report("ok", text .. " (vim.lsp.enable)")
  elseif vim.fn.has("nvim-0.8") == 1 then
    report("ok", text .. " (vim.lsp.start from setup())")
  elseif vim.fn.has("nvim-0.7") == 1 then
    report("ok", text .. " (the oldest supported: start_client from setup())")
  else
    report("error", text .. " is too old", { "Orchard needs Neovim 0.7 or newer" })
  end
end

local function check_tools()
  local cmd = require("orchard.config").options.cmd
  local exe = vim.fn.exepath(cmd[1])
  if exe == "" then
    report("error", ("`%s` is not on PATH"):format(cmd[1]),
      { "install Orchard (pip install orchard, or its .venv/bin on PATH), or set `cmd` in setup()" })
  else
    local version = version_of({ exe, "--version" })
    if version then report("ok", ("%s: %s"):format(exe, version))
    else report("error", exe .. " --version failed") end
  end
  local git = version_of({ "git", "--version" })
  if not git then return report("error", "git is not on PATH", { "Orchard's agents need git 2.36 or newer" }) end
  local major, minor = git:match("(%d+)%.(%d+)")
  if tonumber(major) > 2 or (tonumber(major) == 2 and tonumber(minor) >= 36) then
    report("ok", git)
  else
    report("error", git .. " is too old", { "git worktrees as Orchard uses them need git 2.36+" })
  end
end

local function settings_of(client)
  local timeout = require("orchard.config").options.timeout_ms
  local params = { command = "orchard.showSettings", arguments = { vim.empty_dict() } }
  local answer
  if vim.fn.has("nvim-0.11") == 1 then
    answer = client:request_sync("workspace/executeCommand", params, timeout)
  else
    answer = client.request_sync("workspace/executeCommand", params, timeout)
  end
  return answer and answer.result or nil
end

local function check_keys(models)
  for _, entry in ipairs(models) do
    local name = type(entry) == "table" and entry.model or entry
    local provider = name:match("^([^/]+)/") or "openai"
    local variable = type(entry) == "table" and entry.api_key_env ~= vim.NIL and entry.api_key_env
      or KEY_VARIABLES[provider]
    if KEYLESS[provider] then
      report("ok", name .. ": needs no API key")
    elseif not variable then
      report("info", name .. ": no known key variable for provider " .. provider)
    elseif (vim.env[variable] or "") ~= "" then
      report("ok", ("%s: %s is set"):format(name, variable))
    else
      report("error", ("%s: %s is not set"):format(name, variable),
        { "export " .. variable .. " before starting Neovim (keys are never settings)" })
    end
  end
end

local function check_server()
  local clients = require("orchard.client").clients()
  if #clients == 0 then
    return report("warn", "no Orchard server is attached",
      { "open a file inside a git repository after require('orchard').setup()" })
  end
  for _, client in ipairs(clients) do
    local buffers = vim.tbl_count(client.attached_buffers or {})
    report("ok", ("server attached: %s (%d buffer(s))"):format(client.config.root_dir or "?", buffers))
    local settings = settings_of(client)
    if not settings then
      report("warn", "the server did not answer orchard.showSettings")
    elseif #(settings.models or {}) == 0 then
      report("warn", "no models configured", { "set `models` in .orchard.toml or setup({ settings = { models = {...} } })" })
    else
      local names = vim.tbl_map(function(m) return type(m) == "table" and m.model or m end, settings.models)
      report("ok", "models configured: " .. table.concat(names, ", "))
      check_keys(settings.models)
    end
  end
end

---Run the checks (called by :checkhealth orchard).
function M.check()
  report("start", "orchard: Neovim")
  check_neovim()
  report("start", "orchard: tools")
  check_tools()
  report("start", "orchard: server")
  check_server()
end

return M
