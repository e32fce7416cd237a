/**
 * `npm run bench -- restore`: restoring a ≥100 MB (uncompressed) ZStack dump with the app's streaming
 * restore (laptop gunzip + rewrite + row counting, fed through an SSH channel of the loopback sshd into
 * `mysql --one-database`)
 * against zstack-ctl's own way on the host, `gunzip < f | sed … | sed … | mysql --one-database <db>` once per
 * database, in the same run on the same MariaDB. Target: time ratio ≤ 1.15, peak RSS < 200 MB.
 * Our side runs in a child process so its peak RSS is its own.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MysqlClient } from '../../src-main/recovery/restore/mysql-client.js'
import { streamRestore } from '../../src-main/recovery/restore/stream-restore.js'
import { connectHost, KnownHosts } from '../../src-main/ssh/index.js'
import { zstackDumpFixture } from '../fixtures/zstack-db/build.js'
import { type MariaDb, startMariaDb } from '../harness/mariadb.js'
import { startSshd } from '../harness/sshd.js'
import { printSecondsResult } from './_result.js'

const DATABASES = ['zstack', 'zstack_rest', 'zstack_ui']
const BULK_BYTES = 110 * 1024 * 1024
const ROUNDS = 2

interface ChildArgs {
  file: string
  port: number
  password: string
  ssh: { port: number; user: string; password: string; knownHosts: string }
}

export interface Measured {
  seconds: number
  maxRssMb: number | null
  rows?: number
}

export default async function bench(): Promise<void> {
  const file = await zstackDumpFixture({ rowsPerTable: 20, bulkBytes: BULK_BYTES })
  const [db, sshd] = await Promise.all([startMariaDb(), startSshd()])
  const work = mkdtempSync(join(tmpdir(), 'zsdr-bench-restore-'))
  const ssh = {
    port: sshd.port,
    user: sshd.user,
    password: sshd.password,
    knownHosts: join(work, 'known_hosts'),
  }
  try {
    const ours: Measured[] = []
    const theirs: Measured[] = []
    const onePass: Measured[] = []
    for (let round = 0; round < ROUNDS; round++) {
      theirs.push(await zstackCtlWay(db, file, work))
      onePass.push(await zstackCtlWay(db, file, work, { onePass: true }))
      ours.push(await oursInChild({ file, port: db.port, password: db.rootPassword, ssh }))
    }
    const best = (m: Measured[]) => Math.min(...m.map((x) => x.seconds))
    const value = best(ours)
    const baseline = best(theirs)
    const peak = Math.max(...ours.map((m) => m.maxRssMb ?? 0))
    const uncompressed = await uncompressedSize(file)
    console.log(`dump: ${(uncompressed / 1e6).toFixed(1)} MB uncompressed, ${ours[0]?.rows ?? '?'} rows`)
    console.log(
      `zstack-ctl way (gunzip | sed | mysql --one-database, per database): ${theirs.map((m) => m.seconds.toFixed(2)).join(', ')} s`,
    )
    console.log(
      `ours (laptop gunzip + rewrite + count, one pass through SSH): ${ours.map((m) => m.seconds.toFixed(2)).join(', ')} s`,
    )
    console.log(
      `for reference, one pass of that pipeline into plain mysql (all databases at once): ${onePass.map((m) => m.seconds.toFixed(2)).join(', ')} s`,
    )
    console.log(`ours peak RSS: ${peak.toFixed(1)} MB (target < 200 MB); time ratio target ≤ 1.15`)
    if (uncompressed < 100e6) throw new Error('the benchmark dump is smaller than 100 MB')
    printSecondsResult('restore', value, baseline)
  } finally {
    await Promise.all([db.stop(), sshd.stop()])
    rmSync(work, { recursive: true, force: true })
  }
}

/**
 * zstack-ctl restore_mysql's restore loop, run as a shell pipeline on the host: one pass per database.
 * `onePass` feeds the whole dump once into a plain `mysql` instead (a lower bound, for reference).
 * `safetyDump` first takes restore_mysql's safety dump (its `dump_mysql` pipeline) into `work`.
 */
export async function zstackCtlWay(
  db: MariaDb,
  file: string,
  work: string,
  options: { onePass?: boolean; safetyDump?: boolean } = {},
): Promise<Measured> {
  const cnf = join(work, 'client.cnf')
  await sh(
    `umask 077; printf '[client]\\nuser=root\\npassword="%s"\\nhost=127.0.0.1\\nport=${db.port}\\n' "$PW" > '${cnf}'`,
    {
      PW: db.rootPassword,
    },
  )
  const mysql = `mysql --defaults-extra-file='${cnf}'`
  const sed =
    "sed -e '/DROP DATABASE IF EXISTS/d' -e '/CREATE DATABASE .* IF NOT EXISTS/d' | " +
    "sed 's/DEFINER=`[^`]*`@`[^`]*`/DEFINER=`root`@`localhost`/'"
  const recreate = (d: string) => `${mysql} -e 'DROP DATABASE IF EXISTS ${d}; CREATE DATABASE ${d}'`
  const dump = (dbs: string) =>
    `mysqldump --defaults-extra-file='${cnf}' --databases --single-transaction --quick ${dbs}`
  const safety = options.safetyDump
    ? `(${dump('zstack zstack_rest')}; ${dump('zstack_ui')}) | gzip > '${join(work, 'safety.gz')}' && `
    : ''
  const loop = options.onePass
    ? `${DATABASES.map(recreate).join(' && ')} && gunzip < '${file}' | ${sed} | ${mysql}`
    : DATABASES.map(
        (d) => `${recreate(d)} && gunzip < '${file}' | ${sed} | ${mysql} --one-database ${d}`,
      ).join(' && ')
  const started = performance.now()
  await sh(`set -o pipefail; ${safety}${loop}`)
  return { seconds: (performance.now() - started) / 1000, maxRssMb: null }
}

async function oursInChild(args: ChildArgs): Promise<Measured> {
  const here = fileURLToPath(import.meta.url)
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', here, 'child'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    let text = ''
    child.stdout.on('data', (c: Buffer) => {
      text += c.toString()
    })
    child.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`bench child exited ${code}`)),
    )
    child.stdin.end(JSON.stringify(args))
  })
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Measured
}

/** Child side: the app's restore step, exactly as a run does it, timed from the first byte to the last commit. */
async function child(): Promise<void> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  const args = JSON.parse(Buffer.concat(chunks).toString()) as ChildArgs
  const host = await connectHost(
    { host: '127.0.0.1', port: args.ssh.port, user: args.ssh.user, agent: false },
    {
      knownHosts: new KnownHosts(args.ssh.knownHosts),
      acceptNewHostKey: true,
      configFile: null,
      credentials: () => ({ password: args.ssh.password }),
    },
  )
  const mysql = await MysqlClient.open(
    host,
    { host: '127.0.0.1', port: args.port, socket: null },
    args.password,
  )
  try {
    const started = performance.now()
    const summary = await streamRestore(host, mysql, args.file, {
      databases: DATABASES,
      definerHost: 'localhost',
      onDrop: () => {},
    })
    const seconds = (performance.now() - started) / 1000
    const maxRssMb = process.resourceUsage().maxRSS / 1024
    process.stdout.write(`${JSON.stringify({ seconds, maxRssMb, rows: summary.totalRows })}\n`)
  } finally {
    await mysql.close()
    await host.close()
  }
}

export async function uncompressedSize(file: string): Promise<number> {
  const out = await sh(`gunzip < '${file}' | wc -c`)
  return Number(out.trim())
}

function sh(script: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('bash', ['-c', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    })
    let out = ''
    let err = ''
    p.stdout.on('data', (c: Buffer) => {
      out += c.toString()
    })
    p.stderr.on('data', (c: Buffer) => {
      err += c.toString()
    })
    p.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err.slice(0, 500)}`)),
    )
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'child') await child()
