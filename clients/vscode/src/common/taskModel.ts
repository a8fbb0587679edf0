// The tasks the server reports (orchard.listTasks / orchard.showTask / orchard/taskChanged) as
// plain values, and how they read in the tasks view and status bar. No `vscode` import: unit tested.

export interface Recommendation {
  agent: string | null;
  reasons: string[];
  scores: Record<string, number>;
}

export interface RunView {
  agent: string;
  model: string;
  state: string;
  branch?: string;
  commit?: string | null;
  error?: string | null;
  tokens?: number | Record<string, number> | null;
  cost_usd?: number | null;
  files?: string[] | number | null;
  lint_errors?: number | null;
  tests?: unknown;
  findings?: unknown[] | null;
}

export interface TaskView {
  id: string;
  state: string;
  mode?: string;
  request: string;
  error?: string | null;
  updated_at?: string | number;
  runs: RunView[];
  recommendation?: Recommendation | null;
}

const ACTIVE_TASK_STATES = new Set(["running", "reviewing", "merging"]);
const ACTIVE_RUN_STATES = new Set(["queued", "preparing", "editing", "linting", "testing"]);

/** Tell whether a task still has work going on. */
export function isTaskActive(task: TaskView): boolean {
  return ACTIVE_TASK_STATES.has(task.state);
}

/** Tell whether one agent run is still working. */
export function isRunActive(run: RunView): boolean {
  return ACTIVE_RUN_STATES.has(run.state);
}

/** Return the codicon id that shows a run's state. */
export function runIcon(state: string): string {
  switch (state) {
    case "committed":
      return "pass";
    case "failed":
      return "error";
    case "cancelled":
      return "circle-slash";
    case "interrupted":
      return "debug-pause";
    case "queued":
      return "clock";
    default:
      return "sync~spin";
  }
}

/** Return the codicon id that shows a task's state. */
export function taskIcon(state: string): string {
  switch (state) {
    case "done":
      return "pass-filled";
    case "failed":
      return "error";
    case "cancelled":
    case "discarded":
      return "circle-slash";
    case "interrupted":
      return "debug-pause";
    default:
      return "loading~spin";
  }
}

/** Sum a run's tokens, whether the server sends one number or a breakdown. */
export function tokenCount(tokens: RunView["tokens"]): number {
  if (typeof tokens === "number") return tokens;
  if (tokens && typeof tokens === "object") {
    return Object.values(tokens).reduce((sum, n) => sum + (typeof n === "number" ? n : 0), 0);
  }
  return 0;
}

/** Format a cost in US dollars, with more digits for small amounts. */
export function formatCost(cost: number): string {
  return cost >= 1 ? `$${cost.toFixed(2)}` : `$${cost.toFixed(4)}`;
}

function testsText(tests: unknown): string | undefined {
  if (tests === null || tests === undefined) return undefined;
  if (typeof tests === "boolean") return tests ? "tests pass" : "tests fail";
  if (typeof tests === "string") return `tests ${tests}`;
  if (typeof tests === "object") {
    const record = tests as Record<string, unknown>;
    if (typeof record.passed === "boolean") return record.passed ? "tests pass" : "tests fail";
    if (typeof record.state === "string") return `tests ${record.state}`;
  }
  return undefined;
}

/** Return the one-line description of a run: model, state, tokens, cost, lint and tests. */
export function runDescription(run: RunView): string {
  const parts = [run.model, run.state];
  const tokens = tokenCount(run.tokens);
  if (tokens > 0) parts.push(`${tokens} tok`);
  if (typeof run.cost_usd === "number") parts.push(formatCost(run.cost_usd));
  if (typeof run.lint_errors === "number") {
    parts.push(run.lint_errors === 0 ? "lint ok" : `${run.lint_errors} lint errors`);
  }
  const tests = testsText(run.tests);
  if (tests) parts.push(tests);
  if (Array.isArray(run.findings) && run.findings.length > 0) {
    parts.push(`${run.findings.length} findings`);
  }
  return parts.join(" · ");
}

/** Return the run's tooltip lines: branch, error, recommendation reasons. */
export function runTooltip(task: TaskView, run: RunView): string {
  const lines = [`${run.agent} (${run.model}): ${run.state}`];
  if (run.branch) lines.push(`branch ${run.branch}`);
  if (run.error) lines.push(`error: ${run.error}`);
  const recommendation = task.recommendation;
  if (recommendation && recommendation.agent === run.agent) {
    lines.push("recommended by the judge:", ...recommendation.reasons.map((r) => `- ${r}`));
  }
  return lines.join("\n");
}

/** Return the task's label: its request on one line, shortened. */
export function taskLabel(task: TaskView): string {
  const text = task.request.split(/\s+/).join(" ").trim();
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Return the task's description: its id, state and the judge's pick. */
export function taskDescription(task: TaskView): string {
  const parts = [task.id, task.state];
  const agent = task.recommendation?.agent;
  if (agent) parts.push(`recommended: ${agent}`);
  return parts.join(" · ");
}

export interface Totals {
  runningAgents: number;
  costUsd: number;
}

/** Count the running agents and the total cost of every task. */
export function totals(tasks: Iterable<TaskView>): Totals {
  let runningAgents = 0;
  let costUsd = 0;
  for (const task of tasks) {
    for (const run of task.runs) {
      if (isTaskActive(task) && isRunActive(run)) runningAgents += 1;
      if (typeof run.cost_usd === "number") costUsd += run.cost_usd;
    }
  }
  return { runningAgents, costUsd };
}

/** Return the status bar text for the totals. */
export function statusText(t: Totals): string {
  const cost = formatCost(t.costUsd);
  if (t.runningAgents > 0) {
    const agents = t.runningAgents === 1 ? "1 agent" : `${t.runningAgents} agents`;
    return `$(sync~spin) Orchard: ${agents} · ${cost}`;
  }
  return `$(check) Orchard · ${cost}`;
}
