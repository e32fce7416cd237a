import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const TSX = fileURLToPath(new URL('../../../node_modules/tsx/dist/cli.mjs', import.meta.url))

describe('npm run sim (tests/sim/main.ts)', () => {
  it('prints exactly "listening http://127.0.0.1:<p>/zstack", serves, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [TSX, 'tests/sim/main.ts', '--port', '0', '--seed', 'demo', '--job-latency', '10'],
      {
        cwd: ROOT,
      },
    )
    try {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve)
        child.once('exit', (code) => reject(new Error(`simulator exited early (${code})`)))
      })
      expect(first).toMatch(/^listening http:\/\/127\.0\.0\.1:\d+\/zstack$/)
      const base = first.slice('listening '.length)
      const r = await fetch(`${base}/v1/zones`)
      expect(r.status).toBe(400)
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })

  it('rejects a bad option with exit 2', async () => {
    const child = spawn(process.execPath, [TSX, 'tests/sim/main.ts', '--seed', 'huge'], { cwd: ROOT })
    let stderr = ''
    child.stderr.on('data', (c) => {
      stderr += c
    })
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(code).toBe(2)
    expect(stderr).toMatch(/--seed must be demo, large or empty/)
  })
})
