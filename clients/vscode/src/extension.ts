// Entry point: only wires the parts together (server, tasks store and view, status bar, diffs,
// commands) and returns a small API the extension-host tests read.
import * as vscode from "vscode";
import { registerCommands } from "./common/commands";
import { AgentDiffs, DIFF_SCHEME, FileDiff } from "./common/diff";
import { logInfo, outputChannel } from "./common/logger";
import { showProgressAsNotifications } from "./common/progress";
import { manifestSettings, OrchardServer } from "./common/server";
import { createStatusItem } from "./common/status";
import { TaskView } from "./common/taskModel";
import { TasksStore } from "./common/tasksStore";
import { TasksView } from "./common/tasksView";

export interface OrchardApi {
  server: OrchardServer;
  store: TasksStore;
  diffs: AgentDiffs;
  ready: Promise<boolean>;
}

let server: OrchardServer | undefined;

export function activate(context: vscode.ExtensionContext): OrchardApi {
  const manifest = manifestSettings(context.extension.packageJSON as Record<string, unknown>);
  server = new OrchardServer(manifest);
  const live = server;
  const store = new TasksStore(() => live.command<TaskView[]>("orchard.listTasks"));
  const diffs = new AgentDiffs(async (task, agent) =>
    (await live.command<{ files: FileDiff[] }>("orchard.agentDiff", { task, agent })).files,
  );
  context.subscriptions.push(
    outputChannel(),
    store,
    vscode.window.createTreeView("orchard.tasks", { treeDataProvider: new TasksView(store), showCollapseAll: true }),
    createStatusItem(store),
    vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, diffs),
    ...registerCommands({ server: live, store, diffs }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => live.notifySettingsChanged()),
    live.onDidStartTask(async (task) => {
      await store.refresh();
      const show = await vscode.window.showInformationMessage(`Orchard: task ${task} started`, "Show Tasks");
      if (show) await vscode.commands.executeCommand("orchard.tasks.focus");
    }),
    live.onDidStart((client) => {
      context.subscriptions.push(
        showProgressAsNotifications(client),
        client.onNotification("orchard/taskChanged", (view: TaskView) => store.update(view)),
      );
      void store.refresh();
    }),
  );
  const ready = live.start().catch((error: unknown) => {
    logInfo(`the server did not start: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  });
  return { server: live, store, diffs, ready };
}

export async function deactivate(): Promise<void> {
  await server?.stop();
}
