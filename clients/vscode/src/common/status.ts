// The status bar item: how many agents run and what all tasks cost so far; opens the tasks view.
import * as vscode from "vscode";
import { statusText, totals } from "./taskModel";
import { TasksStore } from "./tasksStore";

/** Create the status bar item and keep it in step with the store. */
export function createStatusItem(store: TasksStore): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem("orchard.status", vscode.StatusBarAlignment.Left, 50);
  item.name = "Orchard";
  item.command = "orchard.ui.showTasks";
  const render = () => {
    const t = totals(store.all());
    item.text = statusText(t);
    item.tooltip = `Orchard: ${t.runningAgents} running agents; total cost $${t.costUsd.toFixed(4)}`;
    item.show();
  };
  store.onDidChange(render);
  render();
  return item;
}
