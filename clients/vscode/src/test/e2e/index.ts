// Extension-host end-to-end test: runs inside code-server's real extension host (the
// `extensionTestsPath` payload), against the real `orchard serve` and the local model server.
// It records what it saw in $ORCHARD_E2E_RESULTS; tests/clients/test_vscode_e2e.py asserts on it.
import { writeFileSync } from "node:fs";
import * as vscode from "vscode";
import type { OrchardApi } from "../../extension";
import type { TaskView } from "../../common/taskModel";

type Results = Record<string, unknown>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, seconds = 180): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function finishedTask(api: OrchardApi, id: string): Promise<TaskView> {
  return until(`task ${id} to end`, async () => {
    await api.store.refresh();
    const task = api.store.get(id);
    return task && !["running", "reviewing", "merging"].includes(task.state) ? task : undefined;
  });
}

async function checkDiff(api: OrchardApi, task: TaskView, results: Results): Promise<void> {
  const agent = task.runs[0].agent;
  const files = await api.diffs.load(task.id, agent);
  const util = files.find((file) => file.path === "src/util.py");
  if (!util) throw new Error(`agentDiff has no src/util.py: ${files.map((f) => f.path).join(", ")}`);
  const base = await vscode.workspace.openTextDocument(api.diffs.uri(task.id, agent, util, "base"));
  const result = await vscode.workspace.openTextDocument(api.diffs.uri(task.id, agent, util, "result"));
  results.diffBase = base.getText();
  results.diffResult = result.getText();
  results.diffFiles = await api.diffs.open(task.id, agent);
  results.diffEditorTabs = vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputTextDiff)
    .map((tab) => tab.label);
}

async function checkAccept(task: TaskView, results: Results): Promise<void> {
  const root = vscode.workspace.workspaceFolders![0].uri;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, "src", "util.py"));
  await vscode.window.showTextDocument(document, { preview: false });
  results.beforeAccept = document.getText();
  const run = task.runs.find((r) => r.state === "committed")!;
  results.accept = await vscode.commands.executeCommand("orchard.ui.acceptAgent", { kind: "agent", task, run });
  results.afterAccept = await until("the buffer to change", () =>
    document.getText() !== results.beforeAccept ? document.getText() : undefined, 30);
  await vscode.window.showTextDocument(document, { preview: false });
  await vscode.commands.executeCommand("undo");
  results.afterUndo = document.getText();
}

export async function run(): Promise<void> {
  const results: Results = {};
  const out = process.env.ORCHARD_E2E_RESULTS ?? "/tmp/orchard-e2e-results.json";
  try {
    const extension = vscode.extensions.getExtension<OrchardApi>("orchard.orchard");
    if (!extension) throw new Error("the Orchard extension is not loaded");
    const api = await extension.activate();
    results.serverStarted = await api.ready;
    results.commands = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith("orchard."));
    const started = (await vscode.commands.executeCommand("orchard.startTask", {
      request: "make add convert its arguments to int",
      agents: 2,
    })) as { task: string };
    results.task = started.task;
    const task = await finishedTask(api, started.task);
    results.taskState = task.state;
    results.runStates = task.runs.map((r) => r.state);
    const serverCommands = results.commands as string[];
    if (serverCommands.includes("orchard.agentDiff")) await checkDiff(api, task, results);
    if (serverCommands.includes("orchard.acceptAgent")) await checkAccept(task, results);
  } catch (error) {
    results.error = error instanceof Error ? `${error.message}\n${error.stack}` : String(error);
  } finally {
    writeFileSync(out, JSON.stringify(results, null, 2));
  }
}
