// Writes package.json's `contributes.configuration` from the server's settings schema
// (`python -m orchard.config.export_schema`), keeping the client's own `orchard.server.*` and
// `orchard.trace.*` settings. tests/clients/test_vscode_settings.py fails when the two drift.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const extension = join(here, "..");
const repo = join(extension, "..", "..");
const python = process.env.ORCHARD_PYTHON ?? join(repo, ".venv", "bin", "python");
const exported = JSON.parse(
  execFileSync(python, ["-m", "orchard.config.export_schema"], { encoding: "utf8" }),
);

const manifestPath = join(extension, "package.json");
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
const isClientSetting = (key) => key.startsWith("orchard.server.") || key.startsWith("orchard.trace.");
const current = manifest.contributes.configuration.properties;
const clientOwn = Object.fromEntries(Object.entries(current).filter(([key]) => isClientSetting(key)));
manifest.contributes.configuration.properties = { ...clientOwn, ...exported.properties };
manifest.capabilities.untrustedWorkspaces.restrictedConfigurations = [
  "orchard.server.path",
  ...exported.restrictedConfigurations,
];
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
