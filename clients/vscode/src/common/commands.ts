// The palette commands (category "Orchard") and the tasks view's context menu: each asks what it
// needs, calls one server command, and reports the outcome. No state of its own.
import * as vscode from "vscode";
import { AgentDiffs } from "./diff";
import { logError, outputChannel } from "./logger";
import { askTaskChoices, pickAgent, pickTask } from "./pickers";
import { OrchardServer } from "./server";
import { isTaskActive, TaskView } from "./taskModel";
import { TasksStore } from "./tasksStore";
import { TaskNode } from "./tasksView";

export interface CommandDeps {
  server: OrchardServer;
  store: TasksStore;
  diffs: AgentDiffs;
}

interface AcceptResult {
  applied: boolean;
  task: string;
  agent: string;
  conflicts: string[];
}

async function configuredModels(server: OrchardServer): Promise<string[]> {
  const settings = await server.command<{ models?: { model: string }[] }>("orchard.showSettings");
  return (settings.models ?? []).map((entry) => entry.model);
}

async function startTask(deps: CommandDeps, extra: Record<string, unknown>, defaultRequest = ""): Promise<string | undefined> {
  const choices = await askTaskChoices(await configuredModels(deps.server), defaultRequest);
  if (!choices) return undefined;
  const { task } = await deps.server.command<{ task: string }>("orchard.startTask", { ...choices, ...extra });
  await deps.store.refresh();
  await vscode.commands.executeCommand("orchard.tasks.focus");
  void vscode.window.showInformationMessage(`Orchard: task ${task} started (${choices.agents} agents)`);
  return task;
}

function fixWithAgent(deps: CommandDeps): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return startTask(deps, {});
  const { start, end } = editor.selection;
  const selection = {
    uri: editor.document.uri.toString(),
    range: { start: { line: start.line, character: start.character }, end: { line: end.line, character: end.character } },
  };
  return startTask(deps, { selection, files: [editor.document.uri.toString()] }, "Fix the selected code");
}

async function taskOf(deps: CommandDeps, node: TaskNode | undefined, title: string, filter?: (t: TaskView) => boolean) {
  return node?.task ?? (await pickTask(deps.store, title, filter));
}

async function acceptAgent(deps: CommandDeps, node?: TaskNode): Promise<AcceptResult | undefined> {
  const task = await taskOf(deps, node, "Orchard: accept which task's result?");
  if (!task) return undefined;
  const agent = node?.kind === "agent" ? node.run.agent : await pickAgent(task, "Orchard: accept which agent?", true);
  if (!agent) return undefined;
  const result = await deps.server.command<AcceptResult>("orchard.acceptAgent", { task: task.id, agent });
  await deps.store.refresh();
  if (!result.applied) {
    void vscode.window.showWarningMessage(`Orchard: ${agent}'s result was not applied`);
  } else if (result.conflicts.length > 0) {
    void vscode.window.showWarningMessage(`Orchard: applied ${agent}; conflicts in ${result.conflicts.join(", ")}`);
  } else {
    void vscode.window.showInformationMessage(`Orchard: applied ${agent}'s result (Undo reverts it)`);
  }
  return result;
}

async function openDiff(deps: CommandDeps, node?: TaskNode): Promise<number | undefined> {
  const task = await taskOf(deps, node, "Orchard: diff of which task?");
  if (!task) return undefined;
  const agent = node?.kind === "agent" ? node.run.agent : await pickAgent(task, "Orchard: diff of which agent?", false);
  return agent ? deps.diffs.open(task.id, agent) : undefined;
}

async function discardTask(deps: CommandDeps, node?: TaskNode): Promise<unknown> {
  const task = await taskOf(deps, node, "Orchard: discard which task?");
  if (!task) return undefined;
  const sure = await vscode.window.showWarningMessage(
    `Discard task ${task.id}? Its worktrees and branches are deleted.`,
    { modal: true },
    "Discard",
  );
  if (sure !== "Discard") return undefined;
  const result = await deps.server.command("orchard.discardTask", { task: task.id });
  deps.store.remove(task.id);
  return result;
}

async function cancelTask(deps: CommandDeps, node?: TaskNode): Promise<unknown> {
  const task = await taskOf(deps, node, "Orchard: cancel which task?", isTaskActive);
  if (!task) return undefined;
  const argument: Record<string, unknown> = { task: task.id };
  if (node?.kind === "agent") argument.agent = node.run.agent;
  const result = await deps.server.command("orchard.cancelTask", argument);
  await deps.store.refresh();
  return result;
}

async function review(deps: CommandDeps): Promise<unknown> {
  const base = await vscode.window.showInputBox({ title: "Orchard: review changes since", value: "HEAD" });
  if (base === undefined) return undefined;
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "Orchard: reviewing changes…" },
    () => deps.server.command<{ findings?: unknown[] }>("orchard.review", { base: base.trim() || "HEAD" }),
  );
  const count = report.findings?.length ?? 0;
  void vscode.window.showInformationMessage(`Orchard review: ${count} findings (in the Problems view)`);
  if (count > 0) await vscode.commands.executeCommand("workbench.actions.view.problems");
  return report;
}

async function showRepoMap(deps: CommandDeps): Promise<void> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const argument = active?.scheme === "file" ? { activeFile: active.toString() } : {};
  const text = await deps.server.command<string>("orchard.repoMap", argument);
  const document = await vscode.workspace.openTextDocument({ content: text, language: "plaintext" });
  await vscode.window.showTextDocument(document, { preview: true });
}

interface MemoryHit {
  uri?: string;
  range?: { start: { line: number; character: number }; end: { line: number; character: number } };
  path?: string;
  title?: string;
  text?: string;
  kind?: string;
}

async function searchMemory(deps: CommandDeps): Promise<void> {
  const query = await vscode.window.showInputBox({ title: "Orchard: search memory" });
  if (!query?.trim()) return;
  const answer = await deps.server.command<MemoryHit[] | { hits: MemoryHit[] }>("orchard.searchMemory", { query });
  const hits = Array.isArray(answer) ? answer : answer.hits;
  const items = hits.map((hit) => ({
    label: hit.title ?? hit.path ?? hit.uri ?? "(hit)",
    description: hit.kind,
    detail: hit.text?.split("\n").slice(0, 2).join(" "),
    hit,
  }));
  const chosen = await vscode.window.showQuickPick(items, { title: `Orchard memory: ${query}`, matchOnDetail: true });
  if (!chosen?.hit.uri) return;
  const range = chosen.hit.range;
  const selection = range ? new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character) : undefined;
  await vscode.window.showTextDocument(vscode.Uri.parse(chosen.hit.uri), selection ? { selection } : {});
}

function guarded<T>(name: string, run: (...args: never[]) => Promise<T>): (...args: never[]) => Promise<T | undefined> {
  return async (...args) => {
    try {
      return await run(...args);
    } catch (error) {
      logError(`${name} failed`, error);
      const message = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(`Orchard: ${message}`);
      return undefined;
    }
  };
}

/** Register every Orchard command; returns their disposables. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const table: Record<string, (...args: never[]) => Promise<unknown>> = {
    "orchard.ui.startAgents": () => startTask(deps, {}),
    "orchard.ui.fixWithAgent": () => fixWithAgent(deps),
    "orchard.ui.showTasks": async () => vscode.commands.executeCommand("orchard.tasks.focus"),
    "orchard.ui.acceptAgent": (node?: TaskNode) => acceptAgent(deps, node),
    "orchard.ui.openDiff": (node?: TaskNode) => openDiff(deps, node),
    "orchard.ui.discardTask": (node?: TaskNode) => discardTask(deps, node),
    "orchard.ui.cancelTask": (node?: TaskNode) => cancelTask(deps, node),
    "orchard.ui.review": () => review(deps),
    "orchard.ui.showRepoMap": () => showRepoMap(deps),
    "orchard.ui.searchMemory": () => searchMemory(deps),
    "orchard.ui.restartServer": () => deps.server.restart(),
    "orchard.ui.showLogs": async () => outputChannel().show(),
    "orchard.ui.refreshTasks": () => deps.store.refresh(),
  };
  return Object.entries(table).map(([name, run]) => vscode.commands.registerCommand(name, guarded(name, run)));
}
