// Bundles the extension into dist/extension.js (one CommonJS file; `vscode` stays external) and
// the extension-host end-to-end test into dist/test/e2e.js.
import { build } from "esbuild";

const common = { bundle: true, platform: "node", format: "cjs", target: "node20", external: ["vscode"], sourcemap: true, logLevel: "warning" };
await build({ ...common, entryPoints: ["src/extension.ts"], outfile: "dist/extension.js", minify: true });
await build({ ...common, entryPoints: ["src/test/e2e/index.ts"], outfile: "dist/test/e2e.js" });
