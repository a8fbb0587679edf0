#!/usr/bin/env bash
# Installs code-server (VS Code in a browser, runs offline) for the extension's end-to-end tests,
# the way /work/shared/EDITORS.md found works on node 20. Idempotent: a stamp file makes a second
# run instant. Target: $ORCHARD_CODE_SERVER_HOME, default <repo>/.tools/code-server.
set -euo pipefail
VERSION=4.100.3
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
home="${ORCHARD_CODE_SERVER_HOME:-$repo/.tools/code-server}"
stamp="$home/.installed-$VERSION"
[ -f "$stamp" ] && exit 0

for tool in rg chromium; do
  command -v "$tool" >/dev/null || { echo "install-code-server: '$tool' is missing (apt-get install ripgrep chromium)" >&2; exit 1; }
done
mkdir -p "$home"
cd "$home"
[ -f package.json ] || echo '{"name": "orchard-code-server", "private": true}' > package.json
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_loglevel=error
npm install --ignore-scripts --no-save "code-server@$VERSION"
npm rebuild argon2
cs="$home/node_modules/code-server"
(
  cd "$cs/lib/vscode"
  npm install --omit=dev --ignore-scripts
  mkdir -p node_modules/@vscode/ripgrep/bin
  ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  npm rebuild --foreground-scripts
  ln -sfn node_modules node_modules.asar
  ln -sf code-linux.sh bin/remote-cli/code-server
  ln -sf browser-linux.sh bin/helpers/browser.sh
  cd extensions
  npm install --omit=dev
)
touch "$stamp"
