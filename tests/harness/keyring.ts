/**
 * A private, unlocked GNOME Keyring for tests: its own `dbus-daemon --session` and
 * `gnome-keyring-daemon --components=secrets` in a temp dir, both stopped by PID.
 * `start()` points this process's `DBUS_SESSION_BUS_ADDRESS` at the private bus, which must
 * happen before @napi-rs/keyring is first used; `stop()` puts the old value back.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestKeyring {
  dir: string
  busAddress: string
  stop(): Promise<void>
}

const KEYRING_PASSWORD = 'test-keyring-pass'

export async function startKeyring(): Promise<TestKeyring> {
  const dir = mkdtempSync(join(tmpdir(), 'zsdr-keyring-'))
  const home = join(dir, 'home')
  const runtime = join(dir, 'run')
  mkdirSync(home, { recursive: true })
  mkdirSync(runtime, { recursive: true, mode: 0o700 })
  const env = {
    ...process.env,
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    XDG_DATA_HOME: join(home, '.local/share'),
  }

  const busAddress = `unix:path=${join(dir, 'bus')}`
  const started: ChildProcess[] = []
  try {
    const dbus = spawn(
      'dbus-daemon',
      ['--session', '--nofork', '--nopidfile', `--address=${busAddress}`, '--print-address=1'],
      { env, stdio: ['ignore', 'pipe', 'ignore'] },
    )
    started.push(dbus)
    await firstLine(dbus, 'dbus-daemon')
    const keyringEnv = { ...env, DBUS_SESSION_BUS_ADDRESS: busAddress }
    const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
      env: keyringEnv,
      stdio: ['pipe', 'ignore', 'ignore'],
    })
    started.push(keyring)
    // The unlock password is read from stdin; in the foreground the daemon prints nothing, so
    // readiness is the Secret Service name appearing on the bus.
    keyring.stdin?.end(KEYRING_PASSWORD)
    await waitForSecretService(keyringEnv, keyring)
  } catch (e) {
    // A half-started keyring must not outlive the test file.
    await Promise.all(started.map(stopProcess))
    rmSync(dir, { recursive: true, force: true })
    throw e
  }

  const previous = process.env.DBUS_SESSION_BUS_ADDRESS
  process.env.DBUS_SESSION_BUS_ADDRESS = busAddress
  return {
    dir,
    busAddress,
    async stop() {
      if (previous === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS
      else process.env.DBUS_SESSION_BUS_ADDRESS = previous
      await Promise.all(started.map(stopProcess))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function firstLine(child: ChildProcess, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error(`${name} did not start`)), 10_000)
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString()
      if (text.includes('\n')) {
        clearTimeout(timer)
        resolve(text.split('\n')[0] ?? '')
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited (${code})`))
    })
  })
}

/** The daemon claims org.freedesktop.secrets on the bus shortly after printing its environment. */
async function waitForSecretService(env: NodeJS.ProcessEnv, daemon: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (daemon.exitCode !== null) break
    const owned = await new Promise<boolean>((resolve) => {
      const p = spawn(
        'dbus-send',
        [
          '--session',
          '--print-reply',
          '--dest=org.freedesktop.DBus',
          '/org/freedesktop/DBus',
          'org.freedesktop.DBus.NameHasOwner',
          'string:org.freedesktop.secrets',
        ],
        { env, stdio: ['ignore', 'pipe', 'ignore'] },
      )
      let out = ''
      p.stdout.on('data', (d: Buffer) => {
        out += d.toString()
      })
      p.on('close', () => resolve(/boolean true/.test(out)))
    })
    if (owned) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('gnome-keyring-daemon did not claim org.freedesktop.secrets')
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}
