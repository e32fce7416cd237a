import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { MysqlClient } from '../../../src-main/recovery/restore/mysql-client.js'
import { LocalHost } from '../../../src-main/ssh/local-host.js'

const children: ChildProcess[] = []
const folders: string[] = []
afterAll(() => {
  for (const c of children) c.kill()
  for (const f of folders) rmSync(f, { recursive: true, force: true })
})

function state(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] ?? null
  } catch {
    return null
  }
}

/**
 * A process that has exited and is never reaped: its parent exec'd into `sleep`, which does not wait.
 * The child outlives the exec (0.3 s): one that ended first could be reaped by bash itself (seen in CI).
 */
async function zombie(): Promise<number> {
  const parent = spawn('bash', ['-c', 'sleep 0.3 & echo $!; exec sleep 30'])
  children.push(parent)
  const pid = Number(
    await new Promise<string>((resolve) => parent.stdout.once('data', (c) => resolve(String(c)))),
  )
  for (let i = 0; i < 100 && state(pid) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 20))
  return pid
}

function optionFolder(owner: number): string {
  const dir = mkdtempSync('/tmp/zsdr-mysql.')
  folders.push(dir)
  writeFileSync(`${dir}/owner`, `${owner}\n`)
  writeFileSync(`${dir}/client.cnf`, '[client]\npassword="x"\n', { mode: 0o600 })
  return dir
}

describe('stale MySQL option folders on the host', () => {
  it("are swept at the next login when their session's process is gone or a zombie, never while it runs", async () => {
    const dead = await zombie()
    expect(state(dead)).toBe('Z')
    const running = spawn('sleep', ['30'])
    children.push(running)
    const ofZombie = optionFolder(dead)
    const ofRunning = optionFolder(running.pid as number)

    const client = await MysqlClient.open(
      new LocalHost(),
      { host: 'localhost', port: 3306, socket: null },
      'x',
    )
    folders.push(client.folder)
    expect(existsSync(ofZombie)).toBe(false)
    expect(existsSync(ofRunning)).toBe(true)
    await client.close()
    expect(existsSync(client.folder)).toBe(false)
  })
})
