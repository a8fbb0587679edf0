// What the extension answers when the server pulls its `orchard` settings: only the values the
// user set (so VS Code's defaults never hide .orchard.toml), nested, without the client's own
// keys; in an untrusted workspace the settings that run commands are forced off. No `vscode` import.

/** One setting as `WorkspaceConfiguration.inspect` reports it (key without `orchard.`). */
export interface InspectedSetting {
  key: string;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

const CLIENT_ONLY_PREFIXES = ["server.", "trace."];

function isClientOnly(key: string): boolean {
  return CLIENT_ONLY_PREFIXES.some((prefix) => key.startsWith(prefix));
}

function setNested(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/** The value that turns a command setting off: `[]` for lists, else null. */
export function disabledValue(defaultValue: unknown): unknown {
  return Array.isArray(defaultValue) ? [] : null;
}

/**
 * Build the nested `orchard` section to send. `restricted` maps each command-running key
 * (without `orchard.`) to its default; when `trusted` is false their workspace values are
 * dropped and, unless the user set one in their own settings, they are sent switched off.
 */
export function settingsPayload(
  inspected: InspectedSetting[],
  trusted: boolean,
  restricted: Map<string, unknown>,
): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const setting of inspected) {
    if (isClientOnly(setting.key)) continue;
    const guarded = !trusted && restricted.has(setting.key);
    const value = guarded
      ? setting.globalValue
      : (setting.workspaceFolderValue ?? setting.workspaceValue ?? setting.globalValue);
    if (value !== undefined) {
      setNested(payload, setting.key, value);
    } else if (guarded) {
      setNested(payload, setting.key, disabledValue(restricted.get(setting.key)));
    }
  }
  return payload;
}
