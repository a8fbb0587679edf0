// Drives code-server in headless Debian chromium through playwright-core, as a user would:
// the command palette, quick inputs, the Orchard tasks view, the diff editor, the buffer, Ctrl+Z.
// Reads a scenario JSON (argv[2]), records every step in its `results` file, and saves a
// screenshot into `artifacts` when a step fails. tests/clients/test_vscode_e2e.py asserts.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const require = createRequire(join(process.cwd(), "package.json"));
const { chromium } = require("playwright-core");

const results = { steps: [] };
const save = () => writeFileSync(config.results, JSON.stringify(results, null, 2));
const text = async (locator) => ((await locator.innerText()) || "").replace(/\u00a0/g, " ");

async function palette(page, command) {
  const input = page.locator(".quick-input-widget input");
  for (let attempt = 0; ; attempt += 1) {
    await page.keyboard.press("F1");
    try {
      await input.waitFor({ state: "visible", timeout: 5000 });
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
      await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } }).catch(() => undefined);
    }
  }
  await input.fill(`>${command}`);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: command }).first().waitFor();
  await page.keyboard.press("Enter");
}

// An input box with `validateInput` ignores Enter until the extension host has validated the
// typed value (the empty initial value is invalid), so Enter pressed at once can be dropped on a
// loaded machine, and the next palette command would then dismiss the box: as a user would, look
// whether the box went away and press Enter again if it did not.
async function quickInput(page, title, value) {
  const titled = page.locator(".quick-input-widget .quick-input-title", { hasText: title });
  await titled.waitFor();
  const input = page.locator(".quick-input-widget input");
  if (value !== undefined) await input.fill(value);
  for (let attempt = 0; ; attempt += 1) {
    await page.keyboard.press("Enter");
    try {
      await titled.waitFor({ state: "hidden", timeout: 3000 });
      return;
    } catch (error) {
      if (attempt >= 10) throw new Error(`the input "${title}" did not take Enter: ${error}`);
    }
  }
}

async function editorText(page, name) {
  const editor = page.locator(`.editor-instance .monaco-editor[data-uri$="${name}"]`).first();
  return text(editor.locator(".view-lines"));
}

const steps = {
  async extensionHost(page) {
    await page.goto(config.url);
    await page.locator(".monaco-workbench").waitFor({ timeout: 90000 });
    const deadline = Date.now() + 300000;
    while (!existsSync(config.hostResults)) {
      if (Date.now() > deadline) throw new Error("the extension-host test wrote no results");
      await page.waitForTimeout(500);
    }
    return { results: config.hostResults };
  },
  async open(page) {
    await page.goto(config.url);
    await page.locator(".monaco-workbench").waitFor({ timeout: 90000 });
    const status = page.locator(".statusbar-item", { hasText: "Orchard" }).first();
    await status.waitFor({ timeout: 90000 });
    return { status: await text(status) };
  },
  async openFile(page) {
    await page.keyboard.press("Control+P");
    await page.locator(".quick-input-widget input").fill(config.file);
    await page.locator(".quick-input-list .monaco-list-row", { hasText: config.file.split("/").pop() }).first().waitFor();
    await page.keyboard.press("Enter");
    await page.locator(`.monaco-editor[data-uri$="${config.file}"] .view-lines`).waitFor();
    return { text: await editorText(page, config.file) };
  },
  async startAgents(page) {
    await palette(page, "Orchard: Start Parallel Agents");
    await quickInput(page, "(1/4)", config.request);
    await quickInput(page, "(2/4)");
    await quickInput(page, "(3/4)", String(config.agents));
    await quickInput(page, "(4/4)");
    const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "started" }).first();
    await toast.waitFor({ timeout: 180000 });
    return { toast: await text(toast) };
  },
  async codeAction(page) {
    const lines = page.locator(`.editor-instance .monaco-editor[data-uri$="${config.file}"] .view-lines`);
    await lines.click();
    const row = page.locator(".action-widget .monaco-list-row", { hasText: "send agents" }).first();
    for (let attempt = 0; ; attempt += 1) {
      await page.keyboard.press("Control+.");
      try {
        await row.waitFor({ timeout: 20000 });
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
        await page.keyboard.press("Escape");
      }
    }
    const titles = await page.locator(".action-widget .monaco-list-row").allInnerTexts();
    for (let moves = 0; ; moves += 1) {
      const focused = page.locator(".action-widget .monaco-list-row.focused").first();
      if (((await focused.getAttribute("aria-label")) ?? "").includes("send agents")) break;
      if (moves > 10) throw new Error(`no "send agents" among ${titles.join(", ")}`);
      await page.keyboard.press("ArrowDown");
    }
    await page.keyboard.press("Enter");
    await quickInput(page, "what should the agents do", config.request);
    await palette(page, "Orchard: Show Tasks");
    const task = page.locator(".pane-body .monaco-list-row", { hasText: config.request }).first();
    await task.waitFor({ timeout: 180000 });
    return { actions: titles, task: await text(task) };
  },
  async progress(page) {
    const toast = page.locator(".notifications-toasts .notification-toast", { hasText: /Orchard .*a\d/ }).first();
    await toast.waitFor({ timeout: 180000 });
    const cancel = toast.locator(".monaco-button", { hasText: "Cancel" });
    const status = page.locator(".statusbar-item", { hasText: "agent" }).first();
    await status.waitFor({ timeout: 180000 });
    return { toast: await text(toast), cancelButtons: await cancel.count(), status: await text(status) };
  },
  async cancelAgent(page) {
    const toast = page.locator(".notifications-toasts .notification-toast", { hasText: config.cancelAgent }).first();
    await toast.waitFor({ timeout: 180000 });
    const title = await text(toast);
    await toast.locator(".monaco-button", { hasText: "Cancel" }).click();
    const row = page.locator(".pane-body .monaco-list-row", { hasText: config.cancelAgent }).first();
    await page.waitForFunction(
      (agent) => [...document.querySelectorAll(".pane-body .monaco-list-row")].some(
        (r) => r.innerText.includes(agent) && r.innerText.includes("cancelled")),
      config.cancelAgent,
      { timeout: 180000 },
    );
    return { toast: title, row: await text(row) };
  },
  async tasksView(page) {
    const rows = page.locator(".pane-body .monaco-list-row", { hasText: "committed" });
    await page.waitForFunction(
      (n) => document.querySelectorAll(".pane-body .monaco-list-row").length > 0 &&
        [...document.querySelectorAll(".pane-body .monaco-list-row")].filter((r) => r.innerText.includes("committed")).length >= n,
      config.agents,
      { timeout: 240000 },
    );
    const all = await page.locator(".pane-body .monaco-list-row").allInnerTexts();
    return { rows: all, committed: await rows.count() };
  },
  async diff(page) {
    await palette(page, "Orchard: Open Agent Diff");
    await page.locator(".quick-input-widget .quick-input-title", { hasText: "diff of which agent" }).waitFor();
    await page.keyboard.press("Enter");
    const diff = page.locator(".monaco-diff-editor").first();
    await diff.waitFor({ timeout: 60000 });
    const modified = diff.locator(".editor.modified .view-lines");
    const original = diff.locator(".editor.original .view-lines");
    return { original: await text(original), modified: await text(modified) };
  },
  async squiggles(page) {
    await page.locator(`.tabs-container .tab`, { hasText: config.file.split("/").pop() }).first().click();
    const squiggle = page.locator(`.monaco-editor[data-uri$="${config.file}"] [class*="squiggly-"]`).first();
    await squiggle.waitFor({ state: "attached", timeout: 120000 });
    return { classes: await squiggle.getAttribute("class") };
  },
  async accept(page) {
    const name = config.file.split("/").pop();
    await page.locator(".tabs-container .tab", { hasText: name }).first().click();
    const before = await editorText(page, config.file);
    await palette(page, "Orchard: Accept Agent Result");
    await page.locator(".quick-input-widget .quick-input-title", { hasText: "accept which agent" }).waitFor();
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      ([file, expected]) => {
        const editor = document.querySelector(`.editor-instance .monaco-editor[data-uri$="${file}"] .view-lines`);
        return editor && editor.innerText.replace(/\u00a0/g, " ").includes(expected);
      },
      [config.file, config.expectAfterAccept],
      { timeout: 60000 },
    );
    const after = await editorText(page, config.file);
    await page.locator(`.editor-instance .monaco-editor[data-uri$="${config.file}"] .view-lines`).click();
    await page.keyboard.press("Control+Z");
    await page.waitForFunction(
      ([file, expected]) => {
        const editor = document.querySelector(`.editor-instance .monaco-editor[data-uri$="${file}"] .view-lines`);
        return editor && !editor.innerText.replace(/\u00a0/g, " ").includes(expected);
      },
      [config.file, config.expectAfterAccept],
      { timeout: 30000 },
    );
    return { before, after, afterUndo: await editorText(page, config.file) };
  },
};

const profile = join(config.artifacts, "chromium-profile");
mkdirSync(profile, { recursive: true });
const context = await chromium.launchPersistentContext(profile, {
  executablePath: config.chromium,
  headless: true,
  viewport: { width: 1400, height: 900 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
context.setDefaultTimeout(30000);
const page = context.pages()[0] ?? (await context.newPage());
let failed = false;
for (const name of config.steps) {
  try {
    const detail = await steps[name](page);
    results.steps.push({ name, ok: true, detail });
  } catch (error) {
    failed = true;
    const shot = join(config.artifacts, `failed-${name}.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
    results.steps.push({ name, ok: false, error: String(error?.stack ?? error), screenshot: shot });
    break;
  } finally {
    save();
  }
}
await context.close();
process.exit(failed ? 1 : 0);
