// Agent diffs as read-only virtual documents (scheme `orchard-diff`), fed by orchard.agentDiff,
// opened in VS Code's diff editor: the task's snapshot on the left, the agent's result on the right.
import * as vscode from "vscode";

export const DIFF_SCHEME = "orchard-diff";

export interface FileDiff {
  path: string;
  old_path: string | null;
  base: string | null;
  result: string | null;
  diff: string;
  binary: boolean;
}

type Side = "base" | "result";

export class AgentDiffs implements vscode.TextDocumentContentProvider {
  private readonly cache = new Map<string, FileDiff[]>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly fetch: (task: string, agent: string) => Promise<FileDiff[]>) {}

  /** Fetch an agent's files again from the server and remember them. */
  async load(task: string, agent: string): Promise<FileDiff[]> {
    const files = await this.fetch(task, agent);
    this.cache.set(`${task}/${agent}`, files);
    return files;
  }

  /** The virtual document of one side of one file. */
  uri(task: string, agent: string, file: FileDiff, side: Side): vscode.Uri {
    const path = side === "base" ? (file.old_path ?? file.path) : file.path;
    const query = new URLSearchParams({ task, agent, side, file: file.path });
    return vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${agent}/${path}`, query: query.toString() });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const query = new URLSearchParams(uri.query);
    const task = query.get("task") ?? "";
    const agent = query.get("agent") ?? "";
    const files = this.cache.get(`${task}/${agent}`) ?? (await this.load(task, agent));
    const file = files.find((f) => f.path === query.get("file"));
    if (!file) return "";
    if (file.binary) return "(binary file)";
    return (query.get("side") === "base" ? file.base : file.result) ?? "";
  }

  /** Open the diff editor for one file, or the multi-file changes editor for several. */
  async open(task: string, agent: string): Promise<number> {
    const files = await this.load(task, agent);
    for (const file of files) {
      this.changed.fire(this.uri(task, agent, file, "base"));
      this.changed.fire(this.uri(task, agent, file, "result"));
    }
    if (files.length === 0) {
      void vscode.window.showInformationMessage(`Orchard: ${agent} of ${task} changed no file`);
    } else if (files.length === 1) {
      const [file] = files;
      await vscode.commands.executeCommand(
        "vscode.diff",
        this.uri(task, agent, file, "base"),
        this.uri(task, agent, file, "result"),
        `${file.path} (${task} ${agent})`,
        { preview: false },
      );
    } else {
      const root = vscode.workspace.workspaceFolders?.[0]?.uri;
      const resources = files.map((file) => [
        root ? vscode.Uri.joinPath(root, file.path) : this.uri(task, agent, file, "result"),
        this.uri(task, agent, file, "base"),
        this.uri(task, agent, file, "result"),
      ]);
      await vscode.commands.executeCommand("vscode.changes", `Orchard ${task} ${agent}`, resources);
    }
    return files.length;
  }
}
