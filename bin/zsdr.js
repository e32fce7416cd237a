#!/usr/bin/env node
// The `zsdr` command. Starts the built CLI (out/main/cli.js, bundled JavaScript made by
// `npm run build`) when it is newer than every source file, so nothing is compiled at start-up.
// Otherwise (a checkout without a build, or sources edited since) it runs the TypeScript through
// tsx, so `npx zsdr` works right after `npm install` and never runs stale code.
import { readdirSync, statSync } from 'node:fs'

const root = new URL('../', import.meta.url)
const built = new URL('out/main/cli.js', root)

function mtimeMs(url) {
  try {
    return statSync(url).mtimeMs
  } catch {
    return -1
  }
}

/** Newest modification time of the files in the `src-*` folders (none in an installed app). */
function newestSourceMs() {
  let newest = -1
  for (const top of readdirSync(root, { withFileTypes: true })) {
    if (!top.isDirectory() || !top.name.startsWith('src-')) continue
    for (const f of readdirSync(new URL(`${top.name}/`, root), { withFileTypes: true, recursive: true })) {
      if (f.isFile()) newest = Math.max(newest, mtimeMs(`${f.parentPath}/${f.name}`))
    }
  }
  return newest
}

if (mtimeMs(built) > newestSourceMs()) {
  await import(built.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src-main/cli/main.ts')
}
