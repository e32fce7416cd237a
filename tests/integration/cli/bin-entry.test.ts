import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZSDR_BIN } from '../../harness/cli.js'

// bin/zsdr.js in a copy of the project layout whose "build" and "sources" each print their name,
// so the test sees which one the entry started.
let root: string
const run = () => execFileSync(process.execPath, [join(root, 'bin', 'zsdr.js')], { encoding: 'utf8' }).trim()
const setTime = (file: string, secondsAgo: number) => {
  const t = new Date(Date.now() - secondsAgo * 1000)
  utimesSync(join(root, file), t, t)
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'zsdr-bin-'))
  for (const d of ['bin', 'out/main', 'src-main/cli', 'src-renderer'])
    mkdirSync(join(root, d), { recursive: true })
  copyFileSync(ZSDR_BIN, join(root, 'bin', 'zsdr.js'))
  writeFileSync(join(root, 'package.json'), '{"type":"module"}')
  // tsx comes from the project's own node_modules.
  symlinkSync(join(ZSDR_BIN, '..', '..', 'node_modules'), join(root, 'node_modules'))
  writeFileSync(join(root, 'out/main/cli.js'), "console.log('built')\n")
  writeFileSync(join(root, 'src-main/cli/main.ts'), "const from: string = 'source'\nconsole.log(from)\n")
  writeFileSync(join(root, 'src-renderer/App.svelte'), '<p></p>\n')
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('bin/zsdr.js', () => {
  it('starts the built JavaScript when it is newer than every source file', () => {
    setTime('src-main/cli/main.ts', 60)
    setTime('src-renderer/App.svelte', 60)
    setTime('out/main/cli.js', 10)
    expect(run()).toBe('built')
  })

  it('runs the TypeScript sources when any of them changed after the build, or there is no build', () => {
    setTime('out/main/cli.js', 10)
    setTime('src-renderer/App.svelte', 1)
    expect(run()).toBe('source')
    rmSync(join(root, 'out'), { recursive: true })
    expect(run()).toBe('source')
  })
})
