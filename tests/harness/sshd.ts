/**
 * Loopback OpenSSH servers for tests: each has its own temp dir, host key, config and free port,
 * and is stopped by its own PID. Works as root on a fresh Debian 12 with openssh-server installed.
 *
 * The login user: sshd with `UsePAM no` checks passwords against /etc/shadow, and refuses accounts
 * whose password is locked even for key logins, so the harness creates (once, idempotently) a
 * dedicated system user `zsdr-test` with a fixed test password. `AllowUsers` limits every test
 * sshd to that user, and the servers only listen on 127.0.0.1 while a test runs.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const TEST_USER = 'zsdr-test'
export const TEST_PASSWORD = 'zsdr-test-Pw-7381'

export interface Sshd {
  host: '127.0.0.1'
  port: number
  dir: string
  user: string
  password: string
  /** `SHA256:...` of the current host key, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string
  pid: number
  /** Lets a public key (OpenSSH one-line form) log in as the test user. */
  authorize(publicKey: string): void
  /** Restarts on the same port with a freshly generated host key, of `type` if given (a "reinstalled" host). */
  restartWithNewHostKey(type?: HostKeyType): Promise<void>
  stop(): Promise<void>
}

/** Creates the test user if needed and makes sure its password is set (idempotent, race-tolerant). */
export function ensureTestUser(): void {
  try {
    execFileSync('id', ['-u', TEST_USER], { stdio: 'ignore' })
  } catch {
    try {
      execFileSync('useradd', ['-m', '-s', '/bin/bash', TEST_USER], { stdio: 'ignore' })
    } catch {
      // Another test file may have created it at the same moment: check again below.
      execFileSync('id', ['-u', TEST_USER], { stdio: 'ignore' })
    }
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    if (shadowHashSet()) return
    try {
      execFileSync('chpasswd', [], {
        input: `${TEST_USER}:${TEST_PASSWORD}\n`,
        stdio: ['pipe', 'ignore', 'ignore'],
      })
    } catch {
      // /etc/shadow locked by a concurrent chpasswd: retry.
    }
  }
  if (!shadowHashSet()) throw new Error(`could not set the password of ${TEST_USER}`)
}

function shadowHashSet(): boolean {
  const line = readFileSync('/etc/shadow', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${TEST_USER}:`))
  return Boolean(line?.split(':')[1]?.startsWith('$'))
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

export type HostKeyType = 'ed25519' | 'rsa' | 'ecdsa'

export async function startSshd(
  options: { extraConfig?: string; hostKeyType?: HostKeyType } = {},
): Promise<Sshd> {
  ensureTestUser()
  mkdirSync('/run/sshd', { recursive: true })
  const dir = mkdtempSync(join(tmpdir(), 'zsdr-sshd-'))
  // sshd reads authorized_keys with the user's rights: the dir must be reachable by it.
  chmodSync(dir, 0o755)
  const keysFile = join(dir, `authorized_keys_${TEST_USER}`)
  writeFileSync(keysFile, '', { mode: 0o644 })
  let port = await freePort()
  let child: ChildProcess | null = null

  const newHostKey = (type: HostKeyType = options.hostKeyType ?? 'ed25519'): string => {
    rmSync(join(dir, 'host_key'), { force: true })
    rmSync(join(dir, 'host_key.pub'), { force: true })
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', join(dir, 'host_key')])
    return (
      execFileSync('ssh-keygen', ['-lf', join(dir, 'host_key.pub')], { encoding: 'utf8' }).split(' ')[1] ?? ''
    )
  }
  const writeConfig = (): string => {
    const file = join(dir, 'sshd_config')
    writeFileSync(
      file,
      [
        // sshd keeps the first value of a keyword: a test's own settings come first.
        options.extraConfig ?? '',
        'ListenAddress 127.0.0.1',
        `Port ${port}`,
        `HostKey ${join(dir, 'host_key')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys_%u')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        'StrictModes no',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'UsePAM no',
        `AllowUsers ${TEST_USER}`,
        'AllowTcpForwarding yes',
        'Subsystem sftp internal-sftp',
        'MaxStartups 100',
        'MaxSessions 100',
        'LogLevel VERBOSE',
      ].join('\n'),
    )
    execFileSync('/usr/sbin/sshd', ['-t', '-f', file])
    return file
  }
  const launch = async (): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const config = writeConfig()
      const log = openSync(join(dir, 'sshd.log'), 'a')
      child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', log, log] })
      closeSync(log)
      if (await waitForBanner(port, child)) return
      await stopChild(child)
      if (attempt >= 3) throw new Error(`sshd did not start: ${readFileSync(join(dir, 'sshd.log'), 'utf8')}`)
      port = await freePort()
    }
  }

  let fingerprint = newHostKey()
  try {
    await launch()
  } catch (e) {
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
  const sshd: Sshd = {
    host: '127.0.0.1',
    get port() {
      return port
    },
    dir,
    user: TEST_USER,
    password: TEST_PASSWORD,
    get hostKeyFingerprint() {
      return fingerprint
    },
    get pid() {
      return child?.pid ?? -1
    },
    authorize(publicKey) {
      writeFileSync(keysFile, `${publicKey.trim()}\n`, { flag: 'a' })
    },
    async restartWithNewHostKey(type) {
      await stopChild(child)
      fingerprint = newHostKey(type)
      await launch()
    },
    async stop() {
      await stopChild(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return sshd
}

/** Stops our sshd by its PID; its per-connection children end when their sockets close. */
async function stopChild(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

async function waitForBanner(port: number, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) return false
    const ok = await new Promise<boolean>((resolve) => {
      const s = tcpConnect(port, '127.0.0.1')
      s.once('data', (d) => {
        s.destroy()
        resolve(d.toString().startsWith('SSH-2.0'))
      })
      s.once('error', () => resolve(false))
    })
    if (ok) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return false
}

export interface KeyPair {
  privateKey: string
  publicKey: string
  publicKeyText: string
}

/** A client key pair: OpenSSH ed25519 by default, or PEM RSA; optionally passphrase-protected. */
export function generateKeyPair(
  dir: string,
  name: string,
  options: { passphrase?: string; format?: 'openssh' | 'pem' } = {},
): KeyPair {
  const privateKey = join(dir, name)
  const args = options.format === 'pem' ? ['-t', 'rsa', '-b', '2048', '-m', 'PEM'] : ['-t', 'ed25519']
  execFileSync('ssh-keygen', ['-q', ...args, '-N', options.passphrase ?? '', '-C', name, '-f', privateKey])
  const publicKey = `${privateKey}.pub`
  return { privateKey, publicKey, publicKeyText: readFileSync(publicKey, 'utf8') }
}

export interface SshAgent {
  socket: string
  pid: number
  add(privateKey: string): void
  stop(): Promise<void>
}

/** A private ssh-agent (foreground, stopped by PID) with its own socket in `dir`. */
export async function startSshAgent(dir: string): Promise<SshAgent> {
  const socket = join(dir, 'agent.sock')
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' })
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' })
      break
    } catch (e) {
      // Exit code 1 means "no identities": the agent is up.
      if ((e as { status?: number }).status === 1) break
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  return {
    socket,
    pid: child.pid ?? -1,
    add(privateKey) {
      execFileSync('ssh-add', ['-q', privateKey], {
        env: { ...process.env, SSH_AUTH_SOCK: socket },
        stdio: 'ignore',
      })
    },
    stop: () => stopChild(child),
  }
}

export interface TcpProxy {
  port: number
  /** Cuts every open connection at once, like a network drop. */
  cutAll(): void
  /** Stops forwarding on every open connection without closing it (a frozen link); new ones still pass. */
  freezeAll(): void
  stop(): Promise<void>
}

/** A loopback TCP relay to a port, so a test can drop live connections mid-transfer. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  const pairs = new Set<[Socket, Socket]>()
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(targetPort, '127.0.0.1')
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    client.on('close', () => pairs.delete(pair))
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    cutAll() {
      for (const s of sockets) s.destroy()
    },
    freezeAll() {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream)
        upstream.unpipe(client)
        client.pause()
        upstream.pause()
      }
      pairs.clear()
    },
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
