// Where `orchard` is looked for: the `orchard.server.path` setting, the workspace's .venv (only
// in a trusted workspace: it is the workspace's own program), then PATH; a candidate counts when
// `orchard --version` runs. No `vscode` import: unit tested.
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export interface ServerCandidate {
  path: string;
  source: string;
}

export interface DiscoveryInput {
  settingPath: string | null | undefined;
  workspaceFolders: string[];
  trusted: boolean;
  envPath: string;
  platform: NodeJS.Platform;
}

function executableNames(platform: NodeJS.Platform): string[] {
  return platform === "win32" ? ["orchard.exe", "orchard.cmd"] : ["orchard"];
}

/** List where to look for the server, best first. */
export function serverCandidates(input: DiscoveryInput): ServerCandidate[] {
  const out: ServerCandidate[] = [];
  if (input.settingPath && input.settingPath.trim()) {
    out.push({ path: input.settingPath.trim(), source: "the orchard.server.path setting" });
  }
  const bin = input.platform === "win32" ? "Scripts" : "bin";
  if (input.trusted) {
    for (const folder of input.workspaceFolders) {
      for (const name of executableNames(input.platform)) {
        out.push({ path: join(folder, ".venv", bin, name), source: "the workspace's .venv" });
      }
    }
  }
  for (const dir of input.envPath.split(delimiter).filter(Boolean)) {
    for (const name of executableNames(input.platform)) {
      out.push({ path: join(dir, name), source: "PATH" });
    }
  }
  return out;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Tell whether `path --version` runs and exits 0 within the timeout. */
export function probeServer(path: string, timeoutMs = 20000): Promise<boolean> {
  if (!isExecutable(path)) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile(path, ["--version"], { timeout: timeoutMs }, (error) => resolve(error === null));
  });
}

/** Return the first candidate that works, and every path tried. */
export async function findServer(
  candidates: ServerCandidate[],
  probe: (path: string) => Promise<boolean> = probeServer,
): Promise<{ found?: ServerCandidate; tried: ServerCandidate[] }> {
  const tried: ServerCandidate[] = [];
  for (const candidate of candidates) {
    tried.push(candidate);
    if (await probe(candidate.path)) return { found: candidate, tried };
  }
  return { tried };
}
