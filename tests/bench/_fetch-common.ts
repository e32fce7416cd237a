/**
 * What the `fetch` and `fetch-wan` benchmarks share: a random file, our download in a child
 * process (so its peak RSS is its own and the link emulator keeps this process's event loop),
 * and OpenSSH's `sftp` / `scp` with their defaults, all timed from start to the last byte
 * (connection set-up included on every side). Nothing here blocks the event loop: the emulator
 * relays in this process while the copies run.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { downloadFile } from '../../src-main/recovery/fetch/sftp-download.js'
import { connectHost, KnownHosts } from '../../src-main/ssh/index.js'

export interface FetchJob {
  port: number
  user: string
  key: string
  remote: string
  local: string
  knownHosts: string
  size: number
}

export interface OurFetch {
  /** Connect + copy, as `zsdr db fetch` would spend them. */
  seconds: number
  /** The copy alone (the link's payload time). */
  copySeconds: number
  /** CPU time (user + system, all threads) the copy used: what a loaded machine cannot give. */
  copyCpuSeconds: number
  maxRssMB: number
  channels: number
  rttMs: number
}

async function worker(job: FetchJob): Promise<void> {
  const started = performance.now()
  const host = await connectHost(
    { host: '127.0.0.1', port: job.port, user: job.user, identityFile: job.key, agent: false },
    { knownHosts: new KnownHosts(job.knownHosts), acceptNewHostKey: true, configFile: null },
  )
  // `zsdr db fetch` checks the file on the host over SFTP (remoteFileExists) before it copies: the
  // copy starts with the channel open.
  await host.sftp()
  const copyStarted = performance.now()
  const cpu0 = process.cpuUsage()
  const r = await downloadFile(host, job.remote, job.local)
  const done = performance.now()
  await host.close()
  const out: OurFetch = {
    seconds: (done - started) / 1000,
    copySeconds: (done - copyStarted) / 1000,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    copyCpuSeconds: (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(cpu0)),
    channels: r.channels,
    rttMs: r.rttMs,
  }
  process.stdout.write(`${JSON.stringify(out)}\n`)
}

export function ourFetch(job: FetchJob): Promise<OurFetch> {
  rmSync(job.local, { force: true })
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
      checkCopy(job)
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as OurFetch)
    })
  })
}

/** OpenSSH's `sftp` or `scp` with their defaults (scp speaks SFTP since OpenSSH 9.0): seconds. */
export function opensshFetch(tool: 'sftp' | 'scp', job: FetchJob): Promise<number> {
  rmSync(job.local, { force: true })
  const common = [
    '-q',
    '-i',
    job.key,
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    `UserKnownHostsFile=${job.knownHosts}.openssh`,
    '-o',
    'BatchMode=yes',
  ]
  const args =
    tool === 'sftp'
      ? ['-b', '-', ...common, '-P', String(job.port), `${job.user}@127.0.0.1`]
      : [...common, '-P', String(job.port), `${job.user}@127.0.0.1:${job.remote}`, job.local]
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['pipe', 'ignore', 'inherit'] })
    child.stdin.end(tool === 'sftp' ? `get ${job.remote} ${job.local}\n` : '')
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${tool} exited ${code}`))
      checkCopy(job)
      resolve((performance.now() - started) / 1000)
    })
  })
}

function checkCopy(job: FetchJob): void {
  const size = statSync(job.local).size
  if (size !== job.size) throw new Error(`copy of ${job.remote} has ${size} bytes, expected ${job.size}`)
}

export function makeFile(path: string, bytes: number): void {
  const block = randomBytes(8 * 1024 * 1024)
  const fd = openSync(path, 'w', 0o644)
  for (let done = 0; done < bytes; done += block.length)
    writeSync(fd, block, 0, Math.min(block.length, bytes - done))
  closeSync(fd)
}

if (process.env.ZSDR_FETCH_WORKER && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await worker(JSON.parse(process.env.ZSDR_FETCH_WORKER) as FetchJob)
}
