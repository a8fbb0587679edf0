// Unit tests of the settings sent to the server: only what the user set, nested; command
// settings off in untrusted workspaces.
import { test } from "node:test";
import assert from "node:assert/strict";
import { settingsPayload } from "../../common/settingsPayload";

const restricted = new Map<string, unknown>([
  ["agents.testCommand", null],
  ["lint.commands", []],
]);

test("defaults are not sent, set values are nested, client-only keys stay in the client", () => {
  const payload = settingsPayload(
    [
      { key: "repomap.mapTokens", globalValue: 2048 },
      { key: "repomap.exclude" },
      { key: "reviewerModel", globalValue: "a", workspaceValue: "b" },
      { key: "server.path", globalValue: "/x/orchard" },
    ],
    true,
    restricted,
  );
  assert.deepEqual(payload, { repomap: { mapTokens: 2048 }, reviewerModel: "b" });
});

test("a trusted workspace's command settings are sent", () => {
  const payload = settingsPayload([{ key: "agents.testCommand", workspaceValue: "pytest" }], true, restricted);
  assert.deepEqual(payload, { agents: { testCommand: "pytest" } });
});

test("an untrusted workspace's command settings are dropped and switched off", () => {
  const payload = settingsPayload(
    [
      { key: "agents.testCommand", workspaceValue: "rm -rf /" },
      { key: "lint.commands", workspaceFolderValue: ["evil {files}"] },
    ],
    false,
    restricted,
  );
  assert.deepEqual(payload, { agents: { testCommand: null }, lint: { commands: [] } });
});

test("in an untrusted workspace the user's own command settings still apply", () => {
  const payload = settingsPayload([{ key: "agents.testCommand", globalValue: "make test" }], false, restricted);
  assert.deepEqual(payload, { agents: { testCommand: "make test" } });
});
