// The Tasks view in the activity bar: tasks, then their agents, with state icons and the run's
// model, tokens, cost, lint and tests; context values drive the diff/accept/discard/cancel menus.
import * as vscode from "vscode";
import {
  isRunActive,
  isTaskActive,
  runDescription,
  runIcon,
  runTooltip,
  RunView,
  taskDescription,
  taskIcon,
  taskLabel,
  TaskView,
} from "./taskModel";
import { TasksStore } from "./tasksStore";

export type TaskNode =
  | { kind: "task"; task: TaskView }
  | { kind: "agent"; task: TaskView; run: RunView };

export class TasksView implements vscode.TreeDataProvider<TaskNode> {
  private readonly changed = new vscode.EventEmitter<TaskNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly store: TasksStore) {
    store.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: TaskNode): TaskNode[] {
    if (!node) return this.store.all().map((task) => ({ kind: "task", task }));
    if (node.kind === "task") {
      const task = this.store.get(node.task.id) ?? node.task;
      return task.runs.map((run) => ({ kind: "agent", task, run }));
    }
    return [];
  }

  getTreeItem(node: TaskNode): vscode.TreeItem {
    return node.kind === "task" ? taskItem(node.task) : agentItem(node.task, node.run);
  }
}

function taskItem(task: TaskView): vscode.TreeItem {
  const item = new vscode.TreeItem(taskLabel(task), vscode.TreeItemCollapsibleState.Expanded);
  item.id = `task:${task.id}`;
  item.description = taskDescription(task);
  item.tooltip = task.error ? `${task.request}\n\nerror: ${task.error}` : task.request;
  item.iconPath = new vscode.ThemeIcon(taskIcon(task.state));
  item.contextValue = `orchardTask${isTaskActive(task) ? "-running" : ""}`;
  return item;
}

function agentItem(task: TaskView, run: RunView): vscode.TreeItem {
  const recommended = task.recommendation?.agent === run.agent;
  const label = recommended ? `★ ${run.agent}` : run.agent;
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = `agent:${task.id}:${run.agent}`;
  item.description = runDescription(run);
  item.tooltip = runTooltip(task, run);
  item.iconPath = new vscode.ThemeIcon(runIcon(run.state));
  item.contextValue = `orchardAgent-${run.state}${isRunActive(run) ? "-running" : ""}`;
  if (run.state === "committed") {
    item.command = { command: "orchard.ui.openDiff", title: "Open Agent Diff", arguments: [{ kind: "agent", task, run }] };
  }
  return item;
}
