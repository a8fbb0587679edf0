// The tasks as last reported by the server: a full list from orchard.listTasks, then one task at
// a time from orchard/taskChanged; polls listTasks while a task runs in case no notification comes.
import * as vscode from "vscode";
import { isTaskActive, TaskView } from "./taskModel";
import { logError } from "./logger";

const POLL_MS = 1500;

export class TasksStore implements vscode.Disposable {
  private readonly tasks = new Map<string, TaskView>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly listTasks: () => Promise<TaskView[]>) {}

  /** Every task, newest first (the server's order). */
  all(): TaskView[] {
    return [...this.tasks.values()];
  }

  /** One task by id. */
  get(id: string): TaskView | undefined {
    return this.tasks.get(id);
  }

  /** Put in one task's latest view (from orchard/taskChanged or orchard.showTask). */
  update(view: TaskView): void {
    if (!view || typeof view.id !== "string") return;
    if (view.state === "discarded") this.tasks.delete(view.id);
    else if (this.tasks.has(view.id)) this.tasks.set(view.id, view);
    else this.replace([view, ...this.all()]);
    this.settle();
  }

  /** Forget one task (after it was discarded). */
  remove(id: string): void {
    this.tasks.delete(id);
    this.settle();
  }

  /** Read every task from the server again. */
  async refresh(): Promise<void> {
    try {
      this.replace((await this.listTasks()).filter((t) => t.state !== "discarded"));
    } catch (error) {
      logError("orchard.listTasks failed", error);
    }
    this.settle();
  }

  private replace(views: TaskView[]): void {
    this.tasks.clear();
    for (const view of views) this.tasks.set(view.id, view);
  }

  private settle(): void {
    this.changed.fire();
    const active = this.all().some(isTaskActive);
    if (active && !this.timer) {
      this.timer = setInterval(() => void this.refresh(), POLL_MS);
    } else if (!active && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.changed.dispose();
  }
}
