import { AppError } from '../../errors/app-error.js'
import { redact } from '../../errors/redact.js'
import type { RemoteHost, RemoteProcess } from '../../ssh/remote-host.js'
import { MysqlClient } from '../restore/mysql-client.js'
import { sq } from '../restore/shell.js'

/** Every scratch folder is `<tempRoot>/zsdr-drill.XXXXXX`: the marker a later drill sweeps by. */
export const DRILL_MARKER = 'zsdr-drill'

/** The host's own server and the tool that initialises a data directory for its version. */
export interface ServerTools {
  server: string
  /** `mariadb-install-db`/`mysql_install_db`, or null for MySQL 5.7+ (`mysqld --initialize-insecure`). */
  installer: string | null
  /** What `--version` says (shown in the report). */
  version: string
  mariadb: boolean
}

export interface ScratchServer {
  dir: string
  socket: string
  tools: ServerTools
  /** Root over the private socket (no password: only this user can reach the mode-700 folder). */
  client: MysqlClient
  /** Stops the server and deletes its folder; true when the folder is verifiably gone. */
  stop(): Promise<boolean>
}

/** Paths a server binary may have; the session's PATH rarely has the sbin folders for a normal user. */
const SEARCH_DIRS = [
  '/usr/sbin',
  '/usr/libexec',
  '/usr/local/mysql/bin',
  '/usr/local/bin',
  '/usr/bin',
  '/opt/mysql/bin',
]
/** A path we pass on (quoted anyway): printable, absolute, no spaces or shell characters. */
const SAFE_PATH = /^\/[A-Za-z0-9._+/-]{1,200}$/

/**
 * Finds the host's own server and install tool. The answer comes from another machine: only lines of
 * the expected form with a plain absolute path are taken.
 */
export async function findServerTools(host: RemoteHost): Promise<ServerTools> {
  const dirs = SEARCH_DIRS.map(sq).join(' ')
  const script = [
    'PATH="$PATH:/usr/sbin:/usr/libexec:/usr/local/mysql/bin"',
    'find_tool() { p=$(command -v "$1" 2>/dev/null) && [ -x "$p" ] && { echo "$p"; return; }',
    `  for d in ${dirs}; do [ -x "$d/$1" ] && { echo "$d/$1"; return; }; done; }`,
    'for t in mariadbd mysqld mariadb-install-db mysql_install_db; do echo "$t=$(find_tool "$t")"; done',
  ].join('\n')
  const found = await host.run(script)
  const paths = new Map<string, string>()
  for (const line of found.stdout.split('\n')) {
    const m = /^(mariadbd|mysqld|mariadb-install-db|mysql_install_db)=(.*)$/.exec(line)
    if (m?.[2] && SAFE_PATH.test(m[2])) paths.set(m[1] as string, m[2])
  }
  const server = paths.get('mariadbd') ?? paths.get('mysqld')
  if (!server) {
    throw new AppError('drill.no_server_binary', {
      en: `No MariaDB/MySQL server binary (mariadbd or mysqld) was found on ${host.label}: a drill needs one to start a throwaway server. Pick another host.`,
      zh: `在 ${host.label} 上没有找到 MariaDB/MySQL 服务器程序（mariadbd 或 mysqld）：演练需要它来启动临时服务器。请选择其他主机。`,
    })
  }
  const versionRun = await host.run(`${sq(server)} --no-defaults --version`)
  const version = printable(versionRun.stdout).trim().slice(0, 200)
  const mariadb = /mariadb/i.test(version)
  const installer = paths.get('mariadb-install-db') ?? paths.get('mysql_install_db') ?? null
  // MySQL 5.7+ deprecates mysql_install_db in favour of the server's own --initialize-insecure.
  const mysql57 = !mariadb && /Ver\s+(?:[89]|5\.7|\d{2,})\./.test(version)
  return { server, installer: mysql57 ? null : installer, version, mariadb }
}

/** Free bytes in `dir` on the host (`df -Pk`), null when unknown. */
export async function freeBytes(host: RemoteHost, dir: string): Promise<number | null> {
  const df = await host.run(`df -Pk ${sq(dir)} | tail -n 1`)
  const available = Number(df.stdout.trim().split(/\s+/)[3])
  return df.code === 0 && Number.isFinite(available) ? available * 1024 : null
}

/**
 * Removes the scratch folders of earlier drills by this user whose SSH session is gone (its watchdog
 * should have done it; a killed host or a `kill -9` may not have): stops a server still running there,
 * then deletes the folder. Folders of a drill still connected are left alone. Returns what was removed.
 */
export async function sweepLeftovers(host: RemoteHost, tempRoot: string): Promise<string[]> {
  const script = [
    `for d in ${sq(tempRoot)}/${DRILL_MARKER}.*; do`,
    '  [ -d "$d" ] && [ -O "$d" ] && [ ! -L "$d" ] || continue',
    '  s=$(cat "$d/session" 2>/dev/null)',
    '  case "$s" in ""|*[!0-9]*) ;; *) [ -d "/proc/$s" ] && continue ;; esac',
    '  p=$(cat "$d/server.pid" 2>/dev/null)',
    '  case "$p" in ""|*[!0-9]*) ;; *) grep -qF "$d/" "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p" ;; esac',
    '  rm -rf "$d" && echo "removed=$d"',
    'done',
  ].join('\n')
  const r = await host.run(script)
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('removed='))
    .map((l) => printable(l.slice('removed='.length)))
}

export interface StartOptions {
  tempRoot: string
  /** How long the server may take to answer after it was started (a loaded host is slow). */
  readyTimeoutMs?: number
  signal?: AbortSignal
}

/**
 * Starts a throwaway server from the host's own binary: a fresh data directory in a private (0700)
 * folder, `--no-defaults` first (no my.cnf of the live server is read), `--skip-networking` (no port),
 * a private socket, its own pid file, small buffers. It is tied to the SSH session twice over: the
 * holder script stops it and deletes the folder when its stdin closes (our `stop`, or the channel
 * gone), and a watchdog loop does the same when the session's sshd process (the holder's parent)
 * disappears, whatever happened to the holder.
 */
export async function startScratchServer(
  host: RemoteHost,
  tools: ServerTools,
  options: StartOptions,
): Promise<ScratchServer> {
  const made = await host.run(
    `umask 077 && d=$(mktemp -d ${sq(`${options.tempRoot}/${DRILL_MARKER}.XXXXXX`)}) && echo "$PPID" > "$d/session" && mkdir "$d/data" "$d/tmp" && echo "$d"`,
  )
  const dir = made.stdout.trim()
  if (made.code !== 0 || !dir.startsWith(`${options.tempRoot}/${DRILL_MARKER}.`) || !SAFE_PATH.test(dir)) {
    throw new AppError('drill.tempdir_failed', {
      en: `Could not create a private scratch folder in ${options.tempRoot} on ${host.label}: ${clip(made.stderr)}`,
      zh: `无法在 ${host.label} 的 ${options.tempRoot} 中创建私有临时目录：${clip(made.stderr)}`,
    })
  }
  const socket = `${dir}/mysqld.sock`
  let holder: RemoteProcess | null = null
  const removeFolder = async () => {
    await host.run(`${killServer(dir)}; rm -rf ${sq(dir)}`).catch(() => {})
  }
  try {
    await initialise(host, tools, dir)
    holder = await host.exec(holderScript(tools, dir))
    holder.stdout.resume()
    holder.stderr.resume()
    const client = await MysqlClient.open(host, { host: null, port: null, socket }, '')
    await waitReady(host, client, holder, dir, options)
    return { dir, socket, tools, client, stop: () => stopServer(host, client, holder as RemoteProcess, dir) }
  } catch (e) {
    holder?.stdin.end()
    await removeFolder()
    throw e
  }
}

async function initialise(host: RemoteHost, tools: ServerTools, dir: string): Promise<void> {
  const data = sq(`${dir}/data`)
  let command: string
  if (tools.installer) {
    // Older install tools lack the newer flags: offer them only where `--help` lists them.
    const help = (await host.run(`${sq(tools.installer)} --help 2>&1`)).stdout
    const flags = [
      help.includes('--auth-root-authentication-method') ? '--auth-root-authentication-method=normal' : '',
      help.includes('--skip-test-db') ? '--skip-test-db' : '',
    ].join(' ')
    command = `${sq(tools.installer)} --no-defaults --user="$(id -un)" --datadir=${data} ${flags}`
  } else {
    command = `${sq(tools.server)} --no-defaults --initialize-insecure --user="$(id -un)" --datadir=${data}`
  }
  const r = await host.run(
    `cd ${sq(dir)} && ${command} > ${sq(`${dir}/install.log`)} 2>&1 || { tail -c 600 ${sq(`${dir}/install.log`)}; exit 1; }`,
  )
  if (r.code !== 0) {
    throw new AppError('drill.install_failed', {
      en: `Initialising the scratch data directory on ${host.label} failed: ${clip(r.stdout)}`,
      zh: `在 ${host.label} 上初始化临时数据目录失败：${clip(r.stdout)}`,
    })
  }
}

/** Kills the scratch server of `dir` by its pid file, only if that process really runs from `dir`. */
function killServer(dir: string): string {
  return `p=$(cat ${sq(`${dir}/server.pid`)} 2>/dev/null); case "$p" in ""|*[!0-9]*) ;; *) grep -qF ${sq(`${dir}/`)} "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p" ;; esac`
}

/**
 * The holder: starts the server in the background, starts the watchdog, then blocks on stdin. When
 * stdin ends (we close it, or sshd closes it because the session went), it stops the server and
 * deletes the folder. The watchdog watches the session's sshd process ($PPID) and the holder itself.
 */
function holderScript(tools: ServerTools, dir: string): string {
  const d = sq(dir)
  const server = [
    sq(tools.server),
    '--no-defaults',
    '--user="$(id -un)"',
    `--datadir=${sq(`${dir}/data`)}`,
    `--socket=${sq(`${dir}/mysqld.sock`)}`,
    `--pid-file=${sq(`${dir}/mysqld.pid`)}`,
    `--log-error=${sq(`${dir}/error.log`)}`,
    `--tmpdir=${sq(`${dir}/tmp`)}`,
    '--skip-networking',
    '--innodb-buffer-pool-size=64M',
    '--key-buffer-size=8M',
    '--max-connections=20',
    '--performance-schema=OFF',
    '--skip-log-bin',
  ].join(' ')
  const stop = `kill "$srv" 2>/dev/null; i=0; while [ -d "/proc/$srv" ] && [ $i -lt 60 ]; do sleep 0.5; i=$((i+1)); done; kill -9 "$srv" 2>/dev/null; rm -rf ${d}`
  return [
    `${server} </dev/null >/dev/null 2>&1 &`,
    'srv=$!',
    `echo "$srv" > ${sq(`${dir}/server.pid`)}`,
    'session=$PPID',
    'holder=$$',
    `( while [ -d "/proc/$session" ] && [ -d "/proc/$holder" ] && [ -d "/proc/$srv" ]; do sleep 1; done; ${stop} ) </dev/null >/dev/null 2>&1 &`,
    'watchdog=$!',
    'echo started',
    'cat >/dev/null',
    // A normal stop: the watchdog is not needed any more (and must not linger for its next second).
    'kill "$watchdog" 2>/dev/null',
    stop,
    'echo stopped',
  ].join('\n')
}

async function waitReady(
  host: RemoteHost,
  client: MysqlClient,
  holder: RemoteProcess,
  dir: string,
  options: StartOptions,
): Promise<void> {
  let ended = false
  void holder.exit.then(() => {
    ended = true
  })
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000)
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted()
    const up = await host.run(`[ -S ${sq(`${dir}/mysqld.sock`)} ]`)
    if (
      up.code === 0 &&
      (await client.query('SELECT 1;').then(
        () => true,
        () => false,
      ))
    )
      return
    if (ended) break
    await new Promise((r) => setTimeout(r, 300))
  }
  const log = await host.run(`tail -c 800 ${sq(`${dir}/error.log`)} 2>/dev/null`)
  throw new AppError('drill.server_start_failed', {
    en: `The scratch server on ${host.label} did not start${ended ? '' : ' in time'}: ${clip(log.stdout)}`,
    zh: `${host.label} 上的临时服务器未能启动${ended ? '' : '（超时）'}：${clip(log.stdout)}`,
  })
}

/**
 * Closes the holder's stdin (it stops the server and deletes the folder), waits for it, then checks
 * that the folder is gone; if the holder did not manage, kills by pid file and deletes directly.
 */
async function stopServer(
  host: RemoteHost,
  client: MysqlClient,
  holder: RemoteProcess,
  dir: string,
): Promise<boolean> {
  await client.close()
  holder.stdin.end()
  const ended = await Promise.race([
    holder.exit.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 60_000).unref()),
  ])
  if (!ended) holder.kill()
  const gone = await host.run(`[ ! -e ${sq(dir)} ]`).catch(() => null)
  if (gone?.code === 0) return true
  const forced = await host
    .run(`${killServer(dir)}; rm -rf ${sq(dir)} && [ ! -e ${sq(dir)} ]`)
    .catch(() => null)
  return forced?.code === 0
}

/** Text from the host for a message: control characters dropped, secrets redacted, bounded. */
function clip(text: string): string {
  return redact(printable(text).trim()).slice(-600)
}

function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
}
