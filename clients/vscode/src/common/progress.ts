// The server's work-done progress (one per running agent) as notifications with a Cancel button
// that sends window/workDoneProgress/cancel; languageclient's own handler only shows a status
// bar spinner that cannot be cancelled, so this one replaces it once the client runs.
import * as vscode from "vscode";
import {
  LanguageClient,
  ProgressToken,
  WorkDoneProgress,
  WorkDoneProgressBegin,
  WorkDoneProgressCancelNotification,
  WorkDoneProgressCreateRequest,
  WorkDoneProgressReport,
} from "vscode-languageclient/node";

/** Titles of the progress bars shown now, for the status bar tooltip and the tests. */
export const activeProgress = new Map<ProgressToken, string>();

class NotificationProgress {
  private finish: (() => void) | undefined;
  private reporter: vscode.Progress<{ message?: string; increment?: number }> | undefined;
  private reported = 0;
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly client: LanguageClient,
    private readonly token: ProgressToken,
  ) {
    this.listener = client.onProgress(WorkDoneProgress.type, token, (value) => {
      if (value.kind === "begin") this.begin(value);
      else if (value.kind === "report") this.report(value);
      else this.end();
    });
  }

  private begin(params: WorkDoneProgressBegin): void {
    activeProgress.set(this.token, params.title);
    const options = { location: vscode.ProgressLocation.Notification, title: params.title, cancellable: params.cancellable ?? false };
    void vscode.window.withProgress(options, (progress, cancel) => {
      this.reporter = progress;
      cancel.onCancellationRequested(() => {
        void this.client.sendNotification(WorkDoneProgressCancelNotification.type, { token: this.token });
      });
      this.report(params);
      return new Promise<void>((resolve) => (this.finish = resolve));
    });
  }

  private report(params: WorkDoneProgressBegin | WorkDoneProgressReport): void {
    const increment = typeof params.percentage === "number" ? Math.max(0, params.percentage - this.reported) : undefined;
    if (increment !== undefined) this.reported += increment;
    this.reporter?.report({ message: params.message, increment });
  }

  private end(): void {
    activeProgress.delete(this.token);
    this.listener.dispose();
    this.finish?.();
  }
}

/** Show the client's work-done progress as cancellable notifications. */
export function showProgressAsNotifications(client: LanguageClient): vscode.Disposable {
  return client.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
    new NotificationProgress(client, token);
  });
}
