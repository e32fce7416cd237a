import { statfs } from 'node:fs/promises'
import { join } from 'node:path'
import type { CheckStatus, PlanCheck, RestorePlan } from '../../api/contract/restore.js'
import { AppError, type LocalizedText } from '../../errors/app-error.js'
import type { RemoteHost } from '../../ssh/remote-host.js'
import type { BackupInspection } from './backup-file.js'
import { scanBackup } from './backup-scan-memory.js'
import { driftCheck, type LiveSide, planDrift, readLiveSide, vmHaCheck } from './drift/index.js'
import { compareVersions, type DumpSummary } from './dump-scanner.js'
import { runProbes } from './host-probes.js'
import { definerHost, endpointFromZstackProperties, MysqlClient, type MysqlEndpoint } from './mysql-client.js'
import { type NodeState, nodeStateFrom, nodeStateProbes } from './node-control.js'
import { sq } from './shell.js'
import { MANAGEMENT_DATABASES } from './statement-policy.js'
import { liveSchemaVersion } from './verify.js'

export { MANAGEMENT_DATABASES } from './statement-policy.js'
export const DEFAULT_PROPERTIES_PATH =
  '/usr/local/zstack/apache-tomcat/webapps/zstack/WEB-INF/classes/zstack.properties'
/** zstack-ctl dump_mysql's own folder: a field engineer looks there first. */
export const DEFAULT_SAFETY_DIR = '/var/lib/zstack/mysql-backup'
/** In the laptop folder: backup scans remembered by SHA-256 (`scanBackup`). */
const SCAN_MEMORY_DIR = 'backup-scans'
/** Room kept free beyond the estimate, so the dump does not fill the disk MySQL itself writes to. */
const DISK_MARGIN = 64 * 1024 * 1024

export interface RestoreSettings {
  backupFile: string
  mysql: { host?: string; port?: number; socket?: string; password: string; propertiesPath?: string }
  skipUi: boolean
  safetyDir?: string
  /** zstack-ctl on the host (a path in tests). */
  zstackCtl?: string
  /** Laptop folder for the safety-dump copy and the evidence report. */
  laptopDir: string
  /** Go on although volume install paths differ from the backup (recorded in the report). */
  acceptDrift?: boolean
  /** Leave VM HA as the backup has it instead of switching it off. */
  keepHa?: boolean
}

/** What the later steps need from the preflight besides the plan shown to the user. */
export interface PreflightFacts {
  inspection: BackupInspection | null
  endpoint: MysqlEndpoint
  definerHost: string
  existingDatabases: string[]
  node: NodeState
  mysql: MysqlClient | null
  /** `--sandbox` when the host's `mysql` client has it (a second wall against client commands). */
  clientOptions: string
  /** Milliseconds each part of the preflight took (for the log and the report). */
  timings: Record<string, number>
}

/**
 * The plan: checks on the backup (read here) and on the host (over SSH), which run at the same time;
 * `host` may still be connecting. Changes nothing anywhere.
 */
export async function preflight(
  hostOrConnecting: RemoteHost | AppError | PromiseLike<RemoteHost | AppError>,
  settings: RestoreSettings,
  options: { signal?: AbortSignal; onBackupBytes?: (done: number, total: number) => void } = {},
): Promise<{ plan: RestorePlan; facts: PreflightFacts }> {
  const checks: PlanCheck[] = []
  const add = (id: PlanCheck['id'], status: CheckStatus, text: LocalizedText) =>
    checks.push({ id, status, text })
  const wanted = MANAGEMENT_DATABASES.filter((d) => !(settings.skipUi && d === 'zstack_ui'))
  const safetyDir = settings.safetyDir ?? DEFAULT_SAFETY_DIR
  const zstackCtl = settings.zstackCtl ?? 'zstack-ctl'
  const timings = new Timings()

  const inspecting = timings
    .time(
      'backup_check',
      scanBackup(settings.backupFile, join(settings.laptopDir, SCAN_MEMORY_DIR), {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onBackupBytes ? { onBytes: options.onBackupBytes } : {}),
      }),
    )
    .then(
      (scanned) => {
        const r = scanned.inspection
        const again = scanned.recalled
          ? {
              en: ' (same SHA-256 as a backup checked before: its scan was reused)',
              zh: '（SHA-256 与先前检查过的备份相同：沿用其扫描结果）',
            }
          : { en: '', zh: '' }
        add('backup_integrity', 'ok', {
          en: `Backup intact: ${r.size} bytes, sha256 ${r.sha256.slice(0, 16)}…, ${r.summary.totalRows} rows${again.en}.`,
          zh: `备份完整：${r.size} 字节，sha256 ${r.sha256.slice(0, 16)}…，共 ${r.summary.totalRows} 行${again.zh}。`,
        })
        return scanned
      },
      (e: unknown) => {
        add('backup_integrity', 'fail', textOf(e))
        return null
      },
    )
  const probing = (async (): Promise<{ host: RemoteHost | AppError; probed: HostFacts }> => {
    const host = await timings.time('ssh_connect', Promise.resolve(hostOrConnecting))
    if (host instanceof AppError) return { host, probed: await noHost(host, add) }
    const probed = await timings.time(
      'host_checks',
      probeHost(host, settings, safetyDir, zstackCtl, add, timings),
    )
    return { host, probed }
  })()
  // Both run to their end before either's failure is thrown: nothing is left running behind the plan.
  const [inspected, probedHost] = await Promise.allSettled([inspecting, probing])
  if (probedHost.status === 'rejected') throw probedHost.reason
  if (inspected.status === 'rejected') throw inspected.reason
  const scanned = inspected.value
  const inspection = scanned?.inspection ?? null
  const { host, probed } = probedHost.value
  const { endpoint, endpointSource, hostName, mysql, node, existing, estimate, hostFree, liveVersion } =
    probed
  add('backup_statements', ...statementCheck(inspection?.summary ?? null, probed.allDatabases))

  const needed = Math.ceil(estimate / 2) + DISK_MARGIN
  add(
    'disk_host',
    hostFree === null ? (host instanceof AppError ? 'unknown' : 'fail') : hostFree >= needed ? 'ok' : 'fail',
    hostFree === null
      ? { en: `Free space in ${safetyDir} is unknown.`, zh: `${safetyDir} 的可用空间未知。` }
      : {
          en: `Safety dump in ${safetyDir}: about ${mib(needed)} needed (databases ${mib(estimate)}), ${mib(hostFree)} free.`,
          zh: `安全转储目录 ${safetyDir}：约需 ${mib(needed)}（数据库 ${mib(estimate)}），可用 ${mib(hostFree)}。`,
        },
  )
  const laptopFree = await statfs(settings.laptopDir).then(
    (s) => s.bavail * s.bsize,
    () => null,
  )
  add('disk_laptop', laptopFree !== null && laptopFree >= needed ? 'ok' : 'fail', {
    en: `Copy of the safety dump on this computer (${settings.laptopDir}): ${laptopFree === null ? 'free space unknown' : `${mib(laptopFree)} free`}.`,
    zh: `本机上的安全转储副本（${settings.laptopDir}）：${laptopFree === null ? '可用空间未知' : `可用 ${mib(laptopFree)}`}。`,
  })

  const backupVersion = inspection?.summary.schemaVersion ?? null
  // Nothing is claimed about a backup that could not be read: its version and databases are unknown.
  add(
    'version',
    ...(inspection
      ? versionCheck(backupVersion, liveVersion)
      : ([
          'unknown',
          {
            en: 'Backup schema version unknown: the backup could not be read.',
            zh: '备份架构版本未知：无法读取备份。',
          },
        ] as [CheckStatus, LocalizedText])),
  )

  const inDump = inspection ? wanted.filter((d) => inspection.summary.databases[d]) : []
  const absent = wanted.filter((d) => !inDump.includes(d))
  if (!inspection)
    add('databases', 'unknown', {
      en: 'Which databases the backup holds is unknown: it could not be read.',
      zh: '无法读取备份，不知道其中包含哪些数据库。',
    })
  else
    add('databases', absent.length === 0 ? 'ok' : absent.includes('zstack') ? 'fail' : 'warn', {
      en: `Will drop and restore: ${inDump.join(', ')}${settings.skipUi ? ' (zstack_ui skipped)' : ''}${absent.length ? `; not in the backup: ${absent.join(', ')}` : ''}.`,
      zh: `将删除并恢复：${inDump.join('、')}${settings.skipUi ? '（跳过 zstack_ui）' : ''}${absent.length ? `；备份中没有：${absent.join('、')}` : ''}。`,
    })

  const { drift, vmHa } = planDrift(scanned?.rows ?? null, probed.live, {
    acceptDrift: settings.acceptDrift ?? false,
    keepHa: settings.keepHa ?? false,
  })
  add('drift', ...driftCheck(drift))
  add('vm_ha', ...vmHaCheck(vmHa))

  if (host instanceof AppError) markUnchecked(checks, host)
  checks.sort((a, b) => CHECK_ORDER.indexOf(a.id) - CHECK_ORDER.indexOf(b.id))

  const plan: RestorePlan = {
    target: {
      label: host instanceof AppError ? '' : host.label,
      hostName,
      hostKeyFingerprint: host instanceof AppError ? null : host.hostKeyFingerprint,
    },
    backup: inspection
      ? {
          path: settings.backupFile,
          sha256: inspection.sha256,
          size: inspection.size,
          uncompressedSize: inspection.summary.uncompressedBytes,
          schemaVersion: backupVersion,
          databases: Object.entries(inspection.summary.databases).map(([name, d]) => ({
            name,
            tables: Object.keys(d.tables).length,
            rows: Object.values(d.tables).reduce((a, b) => a + b, 0),
          })),
        }
      : null,
    mysql: { ...endpoint, source: endpointSource },
    node: { zstackCtl: node.zstackCtl, running: node.running, schemaVersion: liveVersion },
    safetyDump: {
      hostDir: safetyDir,
      estimatedBytes: needed,
      hostFreeBytes: hostFree,
      laptopFreeBytes: laptopFree,
    },
    databases: inDump,
    drift,
    vmHa,
    checks,
    ok: checks.every((c) => c.status !== 'fail'),
    confirmationText: hostName ?? (host instanceof AppError ? '' : host.label),
  }
  return {
    plan,
    facts: {
      inspection,
      endpoint,
      definerHost: definerHost(endpoint),
      existingDatabases: existing,
      node,
      mysql,
      clientOptions: probed.sandbox ? '--sandbox' : '',
      timings: timings.ms,
    },
  }
}

/** The order the plan lists its checks in, whichever finished first. */
const CHECK_ORDER: readonly PlanCheck['id'][] = [
  'backup_integrity',
  'ssh',
  'tools',
  'mysql_login',
  'node_status',
  'backup_statements',
  'disk_host',
  'disk_laptop',
  'version',
  'databases',
  'drift',
  'vm_ha',
]

/** How long each part of the preflight took (they overlap: the backup is read while the host answers). */
class Timings {
  readonly ms: Record<string, number> = {}

  async time<T>(part: string, work: Promise<T>): Promise<T> {
    const started = performance.now()
    try {
      return await work
    } finally {
      this.ms[part] = Math.round(performance.now() - started)
    }
  }
}

/**
 * The containment check: every statement of the backup passed the allow-list, and no two-part name in
 * a trigger, view or routine body starts with a database that exists on the server.
 */
export function statementCheck(
  summary: DumpSummary | null,
  serverDatabases: string[] | null,
): [CheckStatus, LocalizedText] {
  if (!summary)
    return [
      'unknown',
      { en: 'Statements not checked: the backup could not be read.', zh: '未检查语句：无法读取备份。' },
    ]
  if (summary.refusedCount > 0) {
    const list = summary.refusals
      .slice(0, 5)
      .map((r) => `line ${r.line}: ${r.reason} [${r.excerpt}]`)
      .join('; ')
    const more = summary.refusedCount > 5 ? ` (and ${summary.refusedCount - 5} more)` : ''
    return [
      'fail',
      {
        en: `The backup holds ${summary.refusedCount} statement(s) that mysqldump does not write for the management databases, so it is refused: ${list}${more}.`,
        zh: `备份中有 ${summary.refusedCount} 条语句不是 mysqldump 为管理数据库写出的内容，因此拒绝使用该备份：${list}${more}。`,
      },
    ]
  }
  const clashes = Object.entries(summary.databases).flatMap(([db, d]) =>
    d.qualifiers
      .filter((q) => serverDatabases?.some((s) => s.toLowerCase() === q.toLowerCase() && s !== db))
      .map((q) => `${db}: ${q}.…`),
  )
  if (clashes.length > 0)
    return [
      'fail',
      {
        en: `A trigger, view or routine in the backup names another database of this server: ${clashes.slice(0, 5).join(', ')}.`,
        zh: `备份中的触发器、视图或例程引用了该服务器上的其他数据库：${clashes.slice(0, 5).join('、')}。`,
      },
    ]
  const rewritten = summary.definersRewritten
  return [
    serverDatabases === null ? 'warn' : 'ok',
    {
      en: `${summary.statements} statements checked: only what mysqldump writes for ${MANAGEMENT_DATABASES.join(', ')}${rewritten ? `; ${rewritten} DEFINER clauses will be rewritten to root` : ''}${serverDatabases === null ? '; names in bodies not compared with the server (no MySQL login)' : ''}.`,
      zh: `已检查 ${summary.statements} 条语句：仅包含 mysqldump 为 ${MANAGEMENT_DATABASES.join('、')} 写出的内容${rewritten ? `；${rewritten} 个 DEFINER 将改写为 root` : ''}${serverDatabases === null ? '；未与服务器上的数据库名比对（未登录 MySQL）' : ''}。`,
    },
  ]
}

/** True when the host's `mysql` client has `--sandbox` (refuses client commands: a second wall). */
export async function clientHasSandbox(host: RemoteHost): Promise<boolean> {
  return hasSandbox((await host.run(CLIENT_HELP)).stdout)
}

const CLIENT_HELP = 'mysql --help 2>/dev/null'

function hasSandbox(clientHelp: string): boolean {
  return clientHelp.includes('--sandbox')
}

/** What the preflight learns on the host itself. */
interface HostFacts {
  hostName: string | null
  endpoint: MysqlEndpoint
  endpointSource: RestorePlan['mysql']['source']
  mysql: MysqlClient | null
  node: NodeState
  existing: string[]
  /** Bytes of table data in the management databases (the safety dump's size, before gzip). */
  estimate: number
  hostFree: number | null
  liveVersion: string | null
  /** Every database on the server (null without a login). */
  allDatabases: string[] | null
  sandbox: boolean
  /** The live rows the drift compares, or why they cannot be read. */
  live: LiveSide
}

type AddCheck = (id: PlanCheck['id'], status: CheckStatus, text: LocalizedText) => void

async function noHost(error: AppError, add: AddCheck): Promise<HostFacts> {
  add('ssh', 'fail', error.text)
  return {
    hostName: null,
    endpoint: { host: 'localhost', port: 3306, socket: null },
    endpointSource: 'default',
    ...NO_LOGIN,
    node: { zstackCtl: false, running: null },
    hostFree: null,
    sandbox: false,
    live: await readLiveSide({ unreachable: error.text }),
  }
}

/**
 * The host's checks in two lines that run side by side: the shell probes (host name, tools, the
 * node's state, free space) in one command, and the MySQL side (endpoint, login, sizes, schema
 * version, the drift's live rows). Each is a few round trips, whatever the number of checks.
 */
async function probeHost(
  host: RemoteHost,
  settings: RestoreSettings,
  safetyDir: string,
  zstackCtl: string,
  add: AddCheck,
  timings: Timings,
): Promise<HostFacts> {
  const probing = runProbes(host, {
    host_name: 'uname -n',
    tools: 'for t in mysql mysqldump gzip sha256sum; do command -v "$t" >/dev/null || echo "$t"; done',
    client_help: CLIENT_HELP,
    ...nodeStateProbes(zstackCtl),
    disk: `d=${sq(safetyDir)}; while [ ! -d "$d" ]; do d=$(dirname "$d"); done; df -Pk "$d" | tail -n 1`,
  })
  const resolving = resolveEndpoint(host, settings.mysql)
  // Logged in at once rather than after the probes: a missing mysql client only makes this fail.
  const measuring = resolving.then(({ endpoint }) =>
    timings.time('mysql', loginAndMeasure(host, endpoint, settings.mysql.password)),
  )
  const [probes, measured] = await Promise.allSettled([probing, measuring])
  if (probes.status === 'rejected') {
    if (measured.status === 'fulfilled') await measured.value.mysql?.close()
    throw probes.reason
  }
  if (measured.status === 'rejected') throw measured.reason
  const p = probes.value
  const { endpoint, source } = await resolving
  const hostName = p.host_name.code === 0 ? p.host_name.stdout.trim() || null : null
  add('ssh', p.host_name.code === 0 ? 'ok' : 'fail', {
    en: `SSH to ${host.label} works${hostName ? ` (host name ${hostName})` : ''}; host key ${host.hostKeyFingerprint ?? 'n/a (this computer)'}.`,
    zh: `SSH 连接 ${host.label} 正常${hostName ? `（主机名 ${hostName}）` : ''}；主机密钥 ${host.hostKeyFingerprint ?? '不适用（本机）'}。`,
  })
  const missing = p.tools.stdout.split('\n').filter(Boolean)
  const sandbox = missing.length === 0 && hasSandbox(p.client_help.stdout)
  add(
    'tools',
    missing.length === 0 ? 'ok' : 'fail',
    missing.length === 0
      ? {
          en: `mysql, mysqldump, gzip and sha256sum are installed on the host; the mysql client ${sandbox ? 'has --sandbox (used as a second wall)' : 'has no --sandbox'}.`,
          zh: `主机上已安装 mysql、mysqldump、gzip 和 sha256sum；mysql 客户端${sandbox ? '支持 --sandbox（作为第二道防线使用）' : '不支持 --sandbox'}。`,
        }
      : { en: `Missing on the host: ${missing.join(', ')}.`, zh: `主机上缺少：${missing.join('、')}。` },
  )
  const { login, ...database } = measured.value
  if (missing.length > 0) {
    await database.mysql?.close()
    Object.assign(database, NO_LOGIN)
    add('mysql_login', 'unknown', {
      en: 'Not tried: the MySQL client is missing.',
      zh: '未尝试：缺少 MySQL 客户端。',
    })
  } else if (login.ok) {
    add('mysql_login', 'ok', {
      en: `MySQL root login works (${login.version}) at ${describeEndpoint(endpoint)} (from ${source}).`,
      zh: `MySQL root 登录成功（${login.version}），地址 ${describeEndpoint(endpoint)}（来源：${source}）。`,
    })
  } else add('mysql_login', 'fail', login.error)
  const node = nodeStateFrom(p)
  add('node_status', ...nodeCheck(node))
  const available = Number(p.disk.stdout.trim().split(/\s+/)[3])
  const hostFree = p.disk.code === 0 && Number.isFinite(available) ? available * 1024 : null
  return { hostName, endpoint, endpointSource: source, node, hostFree, sandbox, ...database }
}

/** Flags first, then the node's zstack.properties `DB.url`, then localhost:3306. */
export async function resolveEndpoint(
  host: RemoteHost,
  given: RestoreSettings['mysql'],
): Promise<{ endpoint: MysqlEndpoint; source: RestorePlan['mysql']['source'] }> {
  if (given.host || given.port || given.socket) {
    const endpoint = {
      host: given.host ?? (given.socket ? null : 'localhost'),
      port: given.port ?? null,
      socket: given.socket ?? null,
    }
    return { endpoint, source: 'options' }
  }
  const props = await host.run(`cat ${sq(given.propertiesPath ?? DEFAULT_PROPERTIES_PATH)} 2>/dev/null`)
  const fromProps = props.code === 0 ? endpointFromZstackProperties(props.stdout) : null
  return fromProps
    ? { endpoint: fromProps, source: 'zstack.properties' }
    : { endpoint: { host: 'localhost', port: 3306, socket: null }, source: 'default' }
}

type Measured = Pick<
  HostFacts,
  'mysql' | 'existing' | 'estimate' | 'liveVersion' | 'allDatabases' | 'live'
> & {
  login: { ok: true; version: string } | { ok: false; error: LocalizedText }
}

const NO_LOGIN = {
  mysql: null,
  existing: [],
  estimate: 0,
  liveVersion: null,
  allDatabases: null,
  live: {
    en: 'the live database could not be read (see the MySQL check).',
    zh: '无法读取现有数据库（见 MySQL 检查）。',
  },
} satisfies Omit<Measured, 'login'>

/**
 * Root login; then side by side one query for the server's version, its databases and the management
 * databases' size, the live Flyway version, and the drift's live rows. All settle before a failure
 * is reported, so nothing runs on after the option folder is removed.
 */
async function loginAndMeasure(
  host: RemoteHost,
  endpoint: MysqlEndpoint,
  password: string,
): Promise<Measured> {
  let mysql: MysqlClient | null = null
  try {
    mysql = await MysqlClient.open(host, endpoint, password)
    const names = MANAGEMENT_DATABASES.map((d) => `'${d}'`).join(',')
    const [asked, version, read] = await Promise.allSettled([
      mysql.query(
        [
          "SELECT 'version', VERSION();",
          "SELECT 'database', SCHEMA_NAME FROM information_schema.SCHEMATA;",
          `SELECT 'size', IFNULL(SUM(DATA_LENGTH), 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${names});`,
        ].join('\n'),
      ),
      liveSchemaVersion(mysql),
      readLiveSide({ mysql }),
    ])
    if (asked.status === 'rejected') throw asked.reason
    if (version.status === 'rejected') throw version.reason
    if (read.status === 'rejected') throw read.reason
    const answer = asked.value
    const liveVersion = version.value
    const live = read.value
    const of = (tag: string) => answer.filter((r) => r[0] === tag).map((r) => r[1] ?? '')
    const allDatabases = of('database')
    const existing = MANAGEMENT_DATABASES.filter((d) => allDatabases.includes(d))
    return {
      login: { ok: true, version: of('version')[0] || '?' },
      mysql,
      existing,
      estimate: Number(of('size')[0] ?? 0) || 0,
      liveVersion,
      allDatabases,
      live,
    }
  } catch (e) {
    await mysql?.close()
    return { ...NO_LOGIN, login: { ok: false, error: textOf(e) } }
  }
}

function nodeCheck(node: NodeState): [CheckStatus, LocalizedText] {
  if (!node.zstackCtl)
    return [
      'unknown',
      {
        en: 'zstack-ctl is not on this host: the app cannot tell whether a management node runs here. Stop it yourself before restoring.',
        zh: '该主机上没有 zstack-ctl：无法判断管理节点是否在运行。恢复前请自行停止管理节点。',
      },
    ]
  if (node.running === null)
    return [
      'warn',
      {
        en: 'zstack-ctl status did not say whether the node runs.',
        zh: 'zstack-ctl status 未说明管理节点是否在运行。',
      },
    ]
  return [
    'ok',
    node.running
      ? {
          en: 'The management node is running: it will be stopped before the restore and started again after.',
          zh: '管理节点正在运行：恢复前将停止，恢复后重新启动。',
        }
      : { en: 'The management node is stopped.', zh: '管理节点已停止。' },
  ]
}

function versionCheck(backup: string | null, live: string | null): [CheckStatus, LocalizedText] {
  if (backup === null)
    return [
      'warn',
      { en: 'The backup has no Flyway schema_version.', zh: '备份中没有 Flyway schema_version。' },
    ]
  if (live === null)
    return [
      'unknown',
      {
        en: `Backup schema ${backup}; the node's current schema version is unknown (no schema_version in the live database).`,
        zh: `备份架构版本 ${backup}；无法得知节点当前的架构版本（现有数据库中没有 schema_version）。`,
      },
    ]
  const d = compareVersions(backup, live)
  if (d === 0)
    return [
      'ok',
      {
        en: `Backup schema ${backup} matches the node (${live}).`,
        zh: `备份架构版本 ${backup} 与节点一致（${live}）。`,
      },
    ]
  if (d > 0)
    return [
      'fail',
      {
        en: `The backup (schema ${backup}) is newer than the node (${live}): upgrade the node's software first.`,
        zh: `备份（架构版本 ${backup}）比节点（${live}）新：请先升级节点软件。`,
      },
    ]
  return [
    'warn',
    {
      en: `The backup (schema ${backup}) is older than the node (${live}): run zstack-ctl upgrade_db after the restore.`,
      zh: `备份（架构版本 ${backup}）比节点（${live}）旧：恢复后请运行 zstack-ctl upgrade_db。`,
    },
  ]
}

function textOf(e: unknown): LocalizedText {
  return e instanceof AppError ? e.text : { en: 'Unexpected error.', zh: '意外错误。' }
}

function describeEndpoint(e: MysqlEndpoint): string {
  return e.socket ? `socket ${e.socket}` : `${e.host ?? 'localhost'}:${e.port ?? 3306}`
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** Checks that need the host: after SSH failed they were not looked at. */
const HOST_CHECKS: ReadonlySet<PlanCheck['id']> = new Set([
  'tools',
  'mysql_login',
  'node_status',
  'disk_host',
  'version',
])

/** Without SSH nothing on the host was looked at: say "unknown", never report absence as if it had looked. */
function markUnchecked(checks: PlanCheck[], sshError: AppError): void {
  for (const c of checks) {
    if (c.id === 'ssh') c.error = sshError.toEnvelope()
    if (!HOST_CHECKS.has(c.id)) continue
    c.status = 'unknown'
    c.text = {
      en: `Not checked: there is no SSH connection to the host (see the ssh check).`,
      zh: '未检查：与主机没有 SSH 连接（见 ssh 检查项）。',
    }
  }
}
