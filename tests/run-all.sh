#!/usr/bin/env bash
# `npm test`: lint, type-check, build, then every test (unit, integration with real sshd/MariaDB/
# keyring/simulator, end-to-end in Chromium). Ends with one summary line "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
mkdir -p test-artifacts

step() { printf '\n== %s\n' "$*"; }

step "lint (biome)"
npx biome check --error-on-warnings .
step "typecheck (node + web)"
npm run --silent typecheck
step "build (electron-vite: out/main, out/preload, out/renderer)"
npx electron-vite build --logLevel warn

step "tests (vitest)"
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json "$@"
status=$?
set -e
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-artifacts/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || true
exit "$status"
