// Unit tests of how tasks read in the view and the status bar.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runDescription, statusText, taskDescription, tokenCount, totals, TaskView } from "../../common/taskModel";

const task = (state: string, runs: TaskView["runs"], extra: Partial<TaskView> = {}): TaskView => ({
  id: "t1",
  state,
  request: "add a flag",
  runs,
  ...extra,
});

test("a run's description carries model, state, tokens, cost, lint and tests", () => {
  const text = runDescription({
    agent: "a1",
    model: "openai/gpt-test",
    state: "committed",
    tokens: { input: 100, output: 20 },
    cost_usd: 0.0012,
    lint_errors: 0,
    tests: { passed: false },
    findings: [{}, {}],
  });
  assert.equal(text, "openai/gpt-test · committed · 120 tok · $0.0012 · lint ok · tests fail · 2 findings");
});

test("a run without the review's fields shows only model and state", () => {
  assert.equal(runDescription({ agent: "a1", model: "m", state: "editing" }), "m · editing");
});

test("tokens may be a number or a breakdown", () => {
  assert.equal(tokenCount(42), 42);
  assert.equal(tokenCount({ input: 1, output: 2, cached: 3 }), 6);
  assert.equal(tokenCount(null), 0);
});

test("only agents of running tasks count as running; cost sums over every task", () => {
  const t = totals([
    task("running", [
      { agent: "a1", model: "m", state: "editing", cost_usd: 0.5 },
      { agent: "a2", model: "m", state: "committed", cost_usd: 0.25 },
    ]),
    task("interrupted", [{ agent: "a1", model: "m", state: "editing", cost_usd: 1 }]),
  ]);
  assert.deepEqual(t, { runningAgents: 1, costUsd: 1.75 });
  assert.equal(statusText(t), "$(sync~spin) Orchard: 1 agent · $1.75");
  assert.equal(statusText({ runningAgents: 0, costUsd: 0 }), "$(check) Orchard · $0.0000");
});

test("the judge's recommendation shows on the task", () => {
  const view = task("done", [], { recommendation: { agent: "a2", reasons: ["tests pass"], scores: {} } });
  assert.equal(taskDescription(view), "t1 · done · recommended: a2");
});
