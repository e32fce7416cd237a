import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** A throwaway MariaDB 10.11 on 127.0.0.1 with a root password, in its own temp dir. */
export interface MariaDb {
  readonly dir: string
  readonly port: number
  readonly socket: string
  readonly rootPassword: string
  /** Runs SQL as root over the socket (no password on any command line: the socket auth is used). */
  sql(statements: string, options?: { database?: string; sqlMode?: string }): Promise<string>
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

export async function startMariaDb(options: { rootPassword?: string } = {}): Promise<MariaDb> {
  // The data dir lives in RAM when it can: DDL (the ZStack schema is ~300 tables) costs an fsync each on disk.
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'zsdr-mariadb-'))
  const data = join(dir, 'data')
  const socket = join(dir, 'mysqld.sock')
  const pidFile = join(dir, 'mariadbd.pid')
  mkdirSync(join(dir, 'tmp'))
  const rootPassword = options.rootPassword ?? `pw-${randomBytes(9).toString('base64url')}`
  await run('mariadb-install-db', [
    '--no-defaults',
    '--user=root',
    `--datadir=${data}`,
    '--auth-root-authentication-method=socket',
    '--skip-test-db',
  ])
  const port = await freePort()
  const child: ChildProcess = spawn(
    'mariadbd',
    [
      '--no-defaults',
      '--user=root',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${pidFile}`,
      `--log-error=${join(dir, 'err.log')}`,
      `--tmpdir=${join(dir, 'tmp')}`,
      // Small buffers: several engineers share the machine; big loads stay fast enough.
      '--innodb-buffer-pool-size=256M',
      '--innodb-log-file-size=256M',
      '--innodb-flush-log-at-trx-commit=2',
      '--skip-log-bin',
      '--innodb-file-per-table=0',
      '--innodb-flush-method=nosync',
      '--innodb-doublewrite=0',
    ],
    { stdio: 'ignore', detached: true },
  )
  child.unref()

  const sql = async (
    statements: string,
    o: { database?: string; sqlMode?: string } = {},
  ): Promise<string> => {
    const args = [
      '--no-defaults',
      '-uroot',
      `--socket=${socket}`,
      '-B',
      '-N',
      '--default-character-set=utf8mb4',
    ]
    if (o.database) args.push(o.database)
    const prefix = o.sqlMode !== undefined ? `SET SESSION sql_mode='${o.sqlMode}';\n` : ''
    return runWithStdin('mariadb', args, prefix + statements)
  }

  const stop = async (): Promise<void> => {
    const pid = readPid(pidFile) ?? child.pid
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM')
      } catch {}
      const deadline = Date.now() + 20_000
      while (Date.now() < deadline && alive(pid)) await sleep(100)
      if (alive(pid)) process.kill(pid, 'SIGKILL')
    }
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    await waitReady(socket, child)
    await sql(
      `ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD('${rootPassword}') OR unix_socket;
       CREATE USER IF NOT EXISTS root@'127.0.0.1' IDENTIFIED BY '${rootPassword}';
       GRANT ALL PRIVILEGES ON *.* TO root@'127.0.0.1' WITH GRANT OPTION;
       FLUSH PRIVILEGES;`,
    )
  } catch (e) {
    await stop()
    throw e
  }
  return { dir, port, socket, rootPassword, sql, stop }
}

async function waitReady(socket: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}`)
    try {
      await run('mariadb-admin', ['--no-defaults', '-uroot', `--socket=${socket}`, 'ping'])
      return
    } catch {
      await sleep(150)
    }
  }
  throw new Error('MariaDB did not become ready in 30 s')
}

export function runWithStdin(command: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => err.push(c))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0
        ? resolve(Buffer.concat(out).toString('utf8'))
        : reject(
            new Error(`${command} exited ${code}: ${Buffer.concat(err).toString('utf8').slice(0, 2000)}`),
          ),
    )
    child.stdin.end(input)
  })
}

function readPid(file: string): number | null {
  try {
    return Number.parseInt(readFileSync(file, 'utf8').trim(), 10) || null
  } catch {
    return null
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
