// Starting `orchard serve`: finding the executable, the language client with Orchard's
// middleware (settings pulled as set, startTask asking for its request), restart, and the one
// notification shown when no server works.
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { findServer, serverCandidates } from "./serverDiscovery";
import { logError, logInfo, outputChannel } from "./logger";
import { InspectedSetting, settingsPayload } from "./settingsPayload";

const INSTALL_URL = "https://github.com/orchard-lsp/orchard#quick-start";

/** Read every `orchard.*` setting the manifest contributes, as the user set it. */
function inspectSettings(keys: string[]): InspectedSetting[] {
  const config = vscode.workspace.getConfiguration("orchard");
  return keys.map((key) => {
    const info = config.inspect(key);
    return {
      key,
      globalValue: info?.globalValue,
      workspaceValue: info?.workspaceValue,
      workspaceFolderValue: info?.workspaceFolderValue,
    };
  });
}

/** The settings keys (without `orchard.`) and the defaults of the restricted ones. */
export interface ManifestSettings {
  keys: string[];
  restricted: Map<string, unknown>;
}

/** Read the contributed settings from the extension's package.json. */
export function manifestSettings(packageJSON: Record<string, unknown>): ManifestSettings {
  const contributes = packageJSON.contributes as {
    configuration: { properties: Record<string, { default?: unknown }> };
  };
  const capabilities = packageJSON.capabilities as {
    untrustedWorkspaces: { restrictedConfigurations: string[] };
  };
  const properties = contributes.configuration.properties;
  const strip = (key: string) => key.replace(/^orchard\./, "");
  const restricted = new Map<string, unknown>();
  for (const key of capabilities.untrustedWorkspaces.restrictedConfigurations) {
    restricted.set(strip(key), properties[key]?.default);
  }
  return { keys: Object.keys(properties).map(strip), restricted };
}

/** Return the `orchard` section to send to the server now. */
export function currentSettings(manifest: ManifestSettings): Record<string, unknown> {
  return settingsPayload(inspectSettings(manifest.keys), vscode.workspace.isTrusted, manifest.restricted);
}

async function askForRequest(): Promise<string | undefined> {
  const text = await vscode.window.showInputBox({
    title: "Orchard: what should the agents do?",
    prompt: "The request sent to every agent",
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : "Say what the agents should do"),
  });
  return text?.trim() || undefined;
}

/** Ask for the request when `orchard.startTask` (e.g. a code action) comes without one. */
async function withRequest(args: unknown[]): Promise<unknown[] | undefined> {
  const first = (args[0] ?? {}) as Record<string, unknown>;
  if (typeof first.request === "string" && first.request.trim()) return args;
  const request = await askForRequest();
  return request ? [{ ...first, request }, ...args.slice(1)] : undefined;
}

function clientOptions(manifest: ManifestSettings, started: (task: string) => void): LanguageClientOptions {
  return {
    documentSelector: [{ scheme: "file" }],
    outputChannel: outputChannel(),
    middleware: {
      executeCommand: async (command, args, next) => {
        if (command !== "orchard.startTask") return next(command, args);
        const completed = await withRequest(args);
        if (!completed) return undefined;
        const result = (await next(command, completed)) as { task?: string } | undefined;
        if (typeof result?.task === "string") started(result.task);
        return result;
      },
      workspace: {
        configuration: (params) =>
          params.items.map((item) => (item.section === "orchard" ? currentSettings(manifest) : null)),
      },
    },
  };
}

async function showNoServer(tried: string[]): Promise<void> {
  logError(`no working orchard executable; tried:\n  ${tried.join("\n  ")}`);
  const choice = await vscode.window.showErrorMessage(
    "Orchard: no working `orchard` found (the orchard.server.path setting, the workspace's .venv, PATH). " +
      "Install it, or point orchard.server.path at it.",
    "Open Install Instructions",
    "Install Into a venv…",
    "Set Path…",
  );
  if (choice === "Open Install Instructions") {
    await vscode.env.openExternal(vscode.Uri.parse(INSTALL_URL));
  } else if (choice === "Install Into a venv…") {
    await installIntoVenv();
  } else if (choice === "Set Path…") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "orchard.server.path");
  }
}

async function installIntoVenv(): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    openLabel: "Install Orchard into this venv folder",
  });
  if (!picked?.[0]) return;
  const venv = picked[0].fsPath;
  const terminal = vscode.window.createTerminal({ name: "Orchard install" });
  terminal.show();
  const quoted = JSON.stringify(venv);
  terminal.sendText(
    `python3 -m venv ${quoted} && ${JSON.stringify(`${venv}/bin/python`)} -m pip install orchard-lsp`,
  );
  await vscode.workspace
    .getConfiguration("orchard")
    .update("server.path", `${venv}/bin/orchard`, vscode.ConfigurationTarget.Global);
}

/** The running language client, started and restarted on demand. */
export class OrchardServer {
  client: LanguageClient | undefined;
  private readonly started = new vscode.EventEmitter<LanguageClient>();
  readonly onDidStart = this.started.event;
  private readonly taskStarted = new vscode.EventEmitter<string>();
  /** A task started through `orchard.startTask` (a code action, another extension). */
  readonly onDidStartTask = this.taskStarted.event;

  constructor(private readonly manifest: ManifestSettings) {}

  /** Find `orchard`, start `orchard serve` and wait until it is initialized. */
  async start(): Promise<boolean> {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const candidates = serverCandidates({
      settingPath: vscode.workspace.getConfiguration("orchard").get<string | null>("server.path"),
      workspaceFolders: folders,
      trusted: vscode.workspace.isTrusted,
      envPath: process.env.PATH ?? "",
      platform: process.platform,
    });
    const { found, tried } = await findServer(candidates);
    if (!found) {
      void showNoServer(tried.map((c) => `${c.path} (${c.source})`));
      return false;
    }
    logInfo(`starting ${found.path} serve (from ${found.source})`);
    const serverOptions: ServerOptions = {
      command: found.path,
      args: ["serve"],
      transport: TransportKind.stdio,
      options: folders[0] ? { cwd: folders[0] } : {},
    };
    const client = new LanguageClient("orchard", "Orchard", serverOptions, clientOptions(this.manifest, (task) => this.taskStarted.fire(task)));
    this.client = client;
    await client.start();
    await vscode.commands.executeCommand("setContext", "orchard.serverRunning", true);
    this.started.fire(client);
    return true;
  }

  /** Stop the server and start it again. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stop the server if it runs. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await vscode.commands.executeCommand("setContext", "orchard.serverRunning", false);
    if (client) await client.stop();
  }

  /** Run one of the server's commands with its one object argument. */
  async command<T>(command: string, argument?: Record<string, unknown>): Promise<T> {
    if (!this.client) throw new Error("the Orchard server is not running (Orchard: Restart Server)");
    const args = argument === undefined ? [] : [argument];
    return (await this.client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args })) as T;
  }

  /** Tell the server the settings changed (it pulls them again). */
  notifySettingsChanged(): void {
    void this.client?.sendNotification("workspace/didChangeConfiguration", { settings: null });
  }
}
