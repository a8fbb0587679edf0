// Unit tests of where `orchard` is looked for, with real executables in a temp dir.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findServer, serverCandidates } from "../../common/serverDiscovery";

function script(path: string, exitCode: number): void {
  writeFileSync(path, `#!/bin/sh\nexit ${exitCode}\n`);
  chmodSync(path, 0o755);
}

test("the setting comes first, then the workspace's .venv, then PATH", () => {
  const found = serverCandidates({
    settingPath: "/opt/orchard",
    workspaceFolders: ["/ws"],
    trusted: true,
    envPath: "/usr/bin:/bin",
    platform: "linux",
  }).map((c) => c.path);
  assert.deepEqual(found, ["/opt/orchard", "/ws/.venv/bin/orchard", "/usr/bin/orchard", "/bin/orchard"]);
});

test("an untrusted workspace's .venv is never run", () => {
  const found = serverCandidates({
    settingPath: null,
    workspaceFolders: ["/ws"],
    trusted: false,
    envPath: "/usr/bin",
    platform: "linux",
  }).map((c) => c.path);
  assert.deepEqual(found, ["/usr/bin/orchard"]);
});

test("a broken executable is skipped for the next one that runs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orchard-discovery-"));
  mkdirSync(join(dir, "broken"));
  mkdirSync(join(dir, "good"));
  script(join(dir, "broken", "orchard"), 3);
  script(join(dir, "good", "orchard"), 0);
  const candidates = serverCandidates({
    settingPath: join(dir, "missing", "orchard"),
    workspaceFolders: [],
    trusted: true,
    envPath: `${join(dir, "broken")}:${join(dir, "good")}`,
    platform: "linux",
  });
  const { found, tried } = await findServer(candidates);
  assert.equal(found?.path, join(dir, "good", "orchard"));
  assert.equal(tried.length, 3);
});

test("nothing found reports every path tried", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orchard-discovery-"));
  const candidates = serverCandidates({ settingPath: null, workspaceFolders: [dir], trusted: true, envPath: "", platform: "linux" });
  const { found, tried } = await findServer(candidates);
  assert.equal(found, undefined);
  assert.deepEqual(tried.map((c) => c.source), ["the workspace's .venv"]);
});
