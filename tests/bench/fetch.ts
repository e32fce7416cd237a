/**
 * `npm run bench -- fetch`: a 1 GiB file from a loopback sshd, our SFTP download (connectHost +
 * downloadFile, as `zsdr db fetch` does it) against OpenSSH's `sftp` in the same run.
 * Target: time ratio ≤ 1.1, peak RSS of the fetching process < 200 MB. Our side runs in a child
 * process (this file, started with ZSDR_FETCH_WORKER) so its peak RSS is its own.
 * ZSDR_BENCH_FETCH_MB changes the size (quick checks); ZSDR_BENCH_ROUNDS the number of rounds.
 */
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { downloadFile } from '../../src-main/recovery/fetch/sftp-download.js'
import { connectHost, KnownHosts } from '../../src-main/ssh/index.js'
import { generateKeyPair, startSshd } from '../harness/sshd.js'

interface WorkerJob {
  port: number
  user: string
  key: string
  remote: string
  local: string
  knownHosts: string
}

async function worker(job: WorkerJob): Promise<void> {
  const host = await connectHost(
    { host: '127.0.0.1', port: job.port, user: job.user, identityFile: job.key, agent: false },
    { knownHosts: new KnownHosts(job.knownHosts), acceptNewHostKey: true, configFile: null },
  )
  const started = process.hrtime.bigint()
  await downloadFile(host, job.remote, job.local)
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await host.close()
  process.stdout.write(`${JSON.stringify({ seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`)
}

function runWorker(job: WorkerJob): Promise<{ seconds: number; maxRssMB: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, ZSDR_FETCH_WORKER: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`fetch worker exited ${code}`))
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}'))
    })
  })
}

function opensshSftp(job: WorkerJob): number {
  const started = process.hrtime.bigint()
  execFileSync(
    'sftp',
    [
      '-q',
      '-b',
      '-',
      '-i',
      job.key,
      '-P',
      String(job.port),
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      `UserKnownHostsFile=${job.knownHosts}.openssh`,
      '-o',
      'BatchMode=yes',
      `${job.user}@127.0.0.1`,
    ],
    { input: `get ${job.remote} ${job.local}\n`, stdio: ['pipe', 'ignore', 'inherit'] },
  )
  return Number(process.hrtime.bigint() - started) / 1e9
}

function makeFile(path: string, bytes: number): void {
  const block = randomBytes(8 * 1024 * 1024)
  const fd = openSync(path, 'w', 0o644)
  for (let done = 0; done < bytes; done += block.length)
    writeSync(fd, block, 0, Math.min(block.length, bytes - done))
  closeSync(fd)
}

export default async function fetchBench(): Promise<void> {
  const sizeMB = Number(process.env.ZSDR_BENCH_FETCH_MB ?? 1024)
  const rounds = Number(process.env.ZSDR_BENCH_ROUNDS ?? 2)
  const dir = mkdtempSync(join(tmpdir(), 'zsdr-bench-fetch-'))
  chmodSync(dir, 0o755)
  const sshd = await startSshd()
  try {
    const key = generateKeyPair(dir, 'bench-key')
    sshd.authorize(key.publicKeyText)
    const remote = join(dir, 'backup.bin')
    makeFile(remote, sizeMB * 1024 * 1024)
    const job: WorkerJob = {
      port: sshd.port,
      user: sshd.user,
      key: key.privateKey,
      remote,
      local: join(dir, 'ours.bin'),
      knownHosts: join(dir, 'known_hosts'),
    }
    const ours: number[] = []
    const theirs: number[] = []
    let peakRss = 0
    // Alternate the two so that load from other work on the machine hits both alike.
    for (let i = 0; i < rounds; i++) {
      rmSync(job.local, { force: true })
      theirs.push(opensshSftp(job))
      if (statSync(job.local).size !== sizeMB * 1024 * 1024) throw new Error('sftp copy has the wrong size')
      rmSync(job.local, { force: true })
      const r = await runWorker(job)
      if (statSync(job.local).size !== sizeMB * 1024 * 1024) throw new Error('our copy has the wrong size')
      ours.push(r.seconds)
      peakRss = Math.max(peakRss, r.maxRssMB)
      console.log(
        `round ${i + 1}: ours ${r.seconds.toFixed(2)} s (peak RSS ${r.maxRssMB.toFixed(0)} MB), OpenSSH sftp ${theirs[i]?.toFixed(2)} s`,
      )
    }
    const best = (xs: number[]) => Math.min(...xs)
    const value = best(ours)
    const baseline = best(theirs)
    console.log(
      `${sizeMB} MiB: ours best ${value.toFixed(2)} s, OpenSSH sftp best ${baseline.toFixed(2)} s, peak RSS ${peakRss.toFixed(0)} MB`,
    )
    console.log(
      JSON.stringify({
        bench: 'fetch',
        value: Number(value.toFixed(3)),
        unit: 's',
        baseline: Number(baseline.toFixed(3)),
        ratio: Number((value / baseline).toFixed(3)),
        peakRssMB: Math.round(peakRss),
        sizeMB,
      }),
    )
  } finally {
    await sshd.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.env.ZSDR_FETCH_WORKER && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await worker(JSON.parse(process.env.ZSDR_FETCH_WORKER) as WorkerJob)
}
