// Quick picks for the palette commands run without a tree node: which task, which agent, which
// models, how many agents, which mode.
import * as vscode from "vscode";
import { runDescription, taskDescription, taskLabel, TaskView } from "./taskModel";
import { TasksStore } from "./tasksStore";

/** Ask which task, among those `filter` keeps; undefined when cancelled or none. */
export async function pickTask(
  store: TasksStore,
  title: string,
  filter: (task: TaskView) => boolean = () => true,
): Promise<TaskView | undefined> {
  await store.refresh();
  const tasks = store.all().filter(filter);
  if (tasks.length === 0) {
    void vscode.window.showInformationMessage("Orchard: no task to choose from");
    return undefined;
  }
  if (tasks.length === 1) return tasks[0];
  const items = tasks.map((task) => ({ label: taskLabel(task), description: taskDescription(task), task }));
  return (await vscode.window.showQuickPick(items, { title }))?.task;
}

/** Ask which agent of a task; the judge's pick (or the only committed one) comes first. */
export async function pickAgent(task: TaskView, title: string, committedOnly: boolean): Promise<string | undefined> {
  const runs = task.runs.filter((run) => !committedOnly || run.state === "committed");
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(`Orchard: ${task.id} has no committed agent`);
    return undefined;
  }
  if (runs.length === 1) return runs[0].agent;
  const recommended = task.recommendation?.agent;
  const items = runs
    .map((run) => ({
      label: run.agent === recommended ? `★ ${run.agent}` : run.agent,
      description: runDescription(run),
      agent: run.agent,
    }))
    .sort((a, b) => Number(b.agent === recommended) - Number(a.agent === recommended));
  return (await vscode.window.showQuickPick(items, { title }))?.agent;
}

export interface TaskChoices {
  request: string;
  models: string[];
  agents: number;
  mode: string;
}

/** Ask for the request, models, number of agents and mode of a new task. */
export async function askTaskChoices(configured: string[], defaultRequest = ""): Promise<TaskChoices | undefined> {
  const request = (
    await vscode.window.showInputBox({
      title: "Orchard: Start Parallel Agents (1/4)",
      prompt: "What should the agents do?",
      value: defaultRequest,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : "Say what the agents should do"),
    })
  )?.trim();
  if (!request) return undefined;
  let models = configured;
  if (configured.length > 1) {
    const picked = await vscode.window.showQuickPick(
      configured.map((model) => ({ label: model, picked: true })),
      { title: "Orchard: models (2/4)", canPickMany: true, ignoreFocusOut: true },
    );
    if (!picked || picked.length === 0) return undefined;
    models = picked.map((item) => item.label);
  }
  const count = await vscode.window.showInputBox({
    title: "Orchard: number of agents (3/4)",
    prompt: "Agents to run; the models are taken in turn",
    value: String(Math.max(models.length, 2)),
    ignoreFocusOut: true,
    validateInput: (value) => (/^[1-9][0-9]*$/.test(value.trim()) ? undefined : "A whole number, 1 or more"),
  });
  if (!count) return undefined;
  const mode = await vscode.window.showQuickPick(
    [
      { label: "best of n", description: "every agent tries the whole request; pick the best", value: "best_of_n" },
      { label: "fan out", description: "a planner splits the request, one part per agent", value: "fan_out" },
    ],
    { title: "Orchard: mode (4/4)", ignoreFocusOut: true },
  );
  if (!mode) return undefined;
  return { request, models, agents: Number(count.trim()), mode: mode.value };
}
