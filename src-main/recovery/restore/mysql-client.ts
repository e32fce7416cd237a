import { AppError } from '../../errors/app-error.js'
import { redact, registerSecret } from '../../errors/redact.js'
import type { RemoteHost } from '../../ssh/remote-host.js'
import { collect } from '../../ssh/run-collect.js'
import { sq } from './shell.js'

/** Where the management database listens, as seen from the management-node host. */
export interface MysqlEndpoint {
  host: string | null
  port: number | null
  socket: string | null
}

/**
 * The MySQL root account on the host. The password never appears on a command line: it goes over
 * the channel's stdin into an option file (mode 600, in a mode-700 `mktemp -d` directory) that every
 * `mysql`/`mysqldump` reads with `--defaults-extra-file`, and the directory is removed on `close`
 * (and by the engine over a new connection when the link was lost). Each directory records the PID
 * of the SSH session that made it; opening a client first removes this user's directories whose
 * session is gone (left by a lost link or a killed run), never those of a run still connected.
 * (`MYSQL_PWD` would also keep it off argv, but any process of the same user can read another's
 * environment through /proc, and the server-side shell would need it exported.)
 */
export class MysqlClient {
  private constructor(
    private readonly host: RemoteHost,
    readonly endpoint: MysqlEndpoint,
    private readonly dir: string,
  ) {}

  static async open(host: RemoteHost, endpoint: MysqlEndpoint, password: string): Promise<MysqlClient> {
    registerSecret(password)
    const created = await host.run(OPEN_SCRIPT, { stdin: optionFile(endpoint, password) })
    const dir = created.stdout.trim()
    if (created.code !== 0 || !dir.startsWith('/tmp/zsdr-mysql.')) {
      throw new AppError('restore.host_tempfile_failed', {
        en: `Could not create a private temporary file on ${host.label}: ${redact(created.stderr.trim()).slice(0, 300)}`,
        zh: `无法在 ${host.label} 上创建私有临时文件：${redact(created.stderr.trim()).slice(0, 300)}`,
      })
    }
    return new MysqlClient(host, endpoint, dir)
  }

  get optionFile(): string {
    return `${this.dir}/client.cnf`
  }

  /** The private directory on the host (removed by `close`). */
  get folder(): string {
    return this.dir
  }

  /** `mysql`/`mysqldump` with the option file; safe to log (no secret in it). */
  command(tool: 'mysql' | 'mysqldump', args: string): string {
    return `${tool} --defaults-extra-file=${sq(this.optionFile)} ${args}`
  }

  /** Runs SQL (via stdin) and returns tab-separated rows. Throws `restore.mysql_*` errors. */
  async query(sql: string, options: { signal?: AbortSignal } = {}): Promise<string[][]> {
    const result = await this.host.run(this.command('mysql', QUERY_ARGS), {
      stdin: sql,
      ...(options.signal ? { signal: options.signal } : {}),
    })
    if (result.code !== 0) throw mysqlError(this.host.label, result.stderr)
    return result.stdout
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => l.split('\t'))
  }

  /**
   * Runs SQL (via stdin) and hands each tab-separated row to `onRow` as it arrives, for answers of any
   * size: `query` collects the output, which the host caps (16 MiB), so a large answer would end early
   * without a word. The caller bounds what it keeps. Throws `restore.mysql_*` errors.
   */
  async eachRow(
    sql: string,
    onRow: (row: string[]) => void,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const proc = await this.host.exec(this.command('mysql', QUERY_ARGS), options)
    const stderr = collect(proc.stderr)
    proc.stdin.end(sql)
    proc.stdout.setEncoding('utf8')
    let rest = ''
    let failure: unknown = null
    for await (const chunk of proc.stdout) {
      if (failure !== null) continue
      const lines = (rest + (chunk as string)).split('\n')
      rest = lines.pop() as string
      try {
        for (const line of lines) if (line.length > 0) onRow(line.split('\t'))
      } catch (e) {
        failure = e
        proc.kill()
      }
    }
    const [{ code }, err] = await Promise.all([proc.exit, stderr])
    if (failure !== null) throw failure
    if (code !== 0) throw mysqlError(this.host.label, err)
    if (rest.length > 0) onRow(rest.split('\t'))
  }

  async close(): Promise<void> {
    await this.host.run(`rm -rf ${sq(this.dir)}`).catch(() => {})
  }
}

/** Batch output (tab-separated, no column names), in the character set the tables' text is in. */
const QUERY_ARGS = '-B -N --default-character-set=utf8mb4'

/**
 * Removes this user's stale option folders: their SSH session is gone (no such process, or one that
 * has exited and waits to be reaped: a dropped connection's sshd was seen as a zombie seconds later),
 * or they have no owner file and are older than a minute. Never those of a session still connected.
 */
const SWEEP = [
  'for d in /tmp/zsdr-mysql.*; do',
  '  [ -d "$d" ] && [ -O "$d" ] || continue',
  '  p=$(cat "$d/owner" 2>/dev/null)',
  '  case "$p" in',
  '    ""|*[!0-9]*) [ -n "$(find "$d" -maxdepth 0 -mmin +1)" ] && rm -rf "$d" ;;',
  // The state is the field after the last ")" of /proc/<pid>/stat (the name before it may hold one).
  '    *) case "$(sed -n \'s/^.*) \\(.\\).*/\\1/p\' "/proc/$p/stat" 2>/dev/null)" in ""|Z|X) rm -rf "$d" ;; esac ;;',
  '  esac',
  'done',
].join('\n')

/** Sweeps stale folders, then makes a new one owned by this SSH session ($PPID is the session's sshd process). */
const OPEN_SCRIPT = [
  'umask 077',
  SWEEP,
  'd=$(mktemp -d /tmp/zsdr-mysql.XXXXXX) && echo "$PPID" > "$d/owner" && cat > "$d/client.cnf" && echo "$d"',
].join('\n')

/**
 * Removes option folders by path (over a new connection after the old one was lost), and sweeps
 * stale ones again: a run whose link dropped for good may still have looked alive at this run's login.
 */
export async function removeOptionFolders(host: RemoteHost, folders: readonly string[]): Promise<boolean> {
  const ours = folders.filter((f) => /^\/tmp\/zsdr-mysql\.[A-Za-z0-9]+$/.test(f))
  if (ours.length === 0) return true
  const r = await host
    .run(`${SWEEP}\nrm -rf ${ours.map(sq).join(' ')} && ! ls -d ${ours.map(sq).join(' ')} 2>/dev/null`)
    .catch(() => null)
  return r?.code === 0
}

function optionFile(endpoint: MysqlEndpoint, password: string): string {
  const lines = [
    '[client]',
    'user=root',
    `password="${password.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`,
  ]
  if (endpoint.host) lines.push(`host=${endpoint.host}`)
  if (endpoint.port) lines.push(`port=${endpoint.port}`)
  if (endpoint.socket) lines.push(`socket=${endpoint.socket}`)
  return `${lines.join('\n')}\n`
}

/**
 * The MySQL error number a failed `mysql` printed (`ERROR 1049 (42000): Unknown database ...`), read
 * from the `stderr` our errors keep in their details; null when there is none.
 */
export function mysqlErrorNumber(e: unknown): number | null {
  if (!(e instanceof AppError)) return null
  const number = /^ERROR (\d+) /m.exec(String(e.details?.stderr ?? ''))?.[1]
  return number === undefined ? null : Number(number)
}

export function mysqlError(hostLabel: string, stderr: string): AppError {
  const text = redact(stderr.trim()).slice(0, 500)
  if (!text) {
    return new AppError('restore.mysql_no_answer', {
      en: `MySQL on ${hostLabel} ended without an answer or an error message: the connection to the host was most likely lost.`,
      zh: `${hostLabel} 上的 MySQL 没有返回结果也没有错误信息：与主机的连接很可能已断开。`,
    })
  }
  if (/ERROR 1045|Access denied/i.test(text)) {
    return new AppError('restore.mysql_access_denied', {
      en: `MySQL on ${hostLabel} refused the root password. Check it (zstack-ctl restore_mysql uses the same account).`,
      zh: `${hostLabel} 上的 MySQL 拒绝了 root 密码。请检查密码（zstack-ctl restore_mysql 使用同一账号）。`,
    })
  }
  if (/ERROR 200[0-9]|Can't connect|Unknown MySQL server host/i.test(text)) {
    return new AppError(
      'restore.mysql_unreachable',
      {
        en: `Cannot reach MySQL from ${hostLabel}: ${text}`,
        zh: `无法从 ${hostLabel} 连接 MySQL：${text}`,
      },
      { stderr: text },
    )
  }
  return new AppError(
    'restore.mysql_failed',
    { en: `MySQL on ${hostLabel} failed: ${text}`, zh: `${hostLabel} 上的 MySQL 执行失败：${text}` },
    { stderr: text },
  )
}

/** Parses `DB.url` of a zstack.properties (`jdbc:mysql://host:port[,host2...]/...`); the first host wins. */
export function endpointFromZstackProperties(text: string): MysqlEndpoint | null {
  const line = text.split('\n').find((l) => /^\s*DB\.url\s*[=:]/.test(l))
  if (!line) return null
  const url = line.slice(line.search(/[=:]/) + 1).trim()
  const m = /^jdbc:mysql:\/\/([^/:,?\s]+)(?::(\d+))?/.exec(url)
  if (!m) return null
  return { host: m[1] as string, port: m[2] ? Number(m[2]) : 3306, socket: null }
}

/** The host part of `DEFINER=root@<host>`, as zstack-ctl writes it: the database host, loopback as localhost. */
export function definerHost(endpoint: MysqlEndpoint): string {
  const h = endpoint.host
  if (!h || h === '127.0.0.1' || h === '::1' || h === 'localhost') return 'localhost'
  return h
}
