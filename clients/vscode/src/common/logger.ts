// The Orchard output channel: the extension's own log and the language client's, one place.
import * as vscode from "vscode";

let channel: vscode.LogOutputChannel | undefined;

/** Return the extension's output channel, creating it once. */
export function outputChannel(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel("Orchard", { log: true });
  return channel;
}

/** Log a line at info level. */
export function logInfo(message: string): void {
  outputChannel().info(message);
}

/** Log a line at error level. */
export function logError(message: string, error?: unknown): void {
  const detail = error instanceof Error ? `: ${error.message}` : error ? `: ${String(error)}` : "";
  outputChannel().error(`${message}${detail}`);
}
