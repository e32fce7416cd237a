/**
 * `npm run bench -- fetch-wan`: a file (512 MiB; ZSDR_BENCH_FETCH_WAN_MB changes it) fetched over
 * emulated WAN links (tests/harness/link-emulator.ts, in this process, between the copies and a
 * loopback sshd): a long, fat link to a remote DR site (100 ms RTT, 400 Mbit/s) and a VPN-like one
 * (20 ms, 100 Mbit/s). Ours (connectHost + downloadFile, as `zsdr db fetch`) against OpenSSH
 * `sftp` and `scp` with their defaults, in the same run, each timed from start to the last byte.
 * ZSDR_BENCH_ROUNDS (default 1) rounds; with more, medians. Link utilisation is our payload rate
 * during the copy (after the connection is up) over the link's rate.
 * Targets (#17): long link ≥ 90% utilisation and ratio ≤ 0.5; VPN link ≥ 90% and ratio ≤ 1.0.
 * The last line is the long link's result.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LinkOptions, startLinkEmulator } from '../harness/link-emulator.js'
import { generateKeyPair, startSshd } from '../harness/sshd.js'
import { type FetchJob, makeFile, opensshFetch, ourFetch } from './_fetch-common.js'
import { loadLine, median, printSecondsResult } from './_result.js'

const LINKS: Array<{ name: string } & LinkOptions> = [
  { name: 'VPN-like link', rttMs: 20, rateMbit: 100 },
  { name: 'long fat link', rttMs: 100, rateMbit: 400 },
]

interface LinkResult {
  ours: number
  sftp: number
  scp: number
  utilization: number
}

async function measure(job: FetchJob, link: (typeof LINKS)[number], rounds: number): Promise<LinkResult> {
  const ours: number[] = []
  const copy: number[] = []
  const sftp: number[] = []
  const scp: number[] = []
  for (let i = 0; i < rounds; i++) {
    sftp.push(await opensshFetch('sftp', job))
    scp.push(await opensshFetch('scp', job))
    const r = await ourFetch(job)
    ours.push(r.seconds)
    copy.push(r.copySeconds)
    console.log(
      `  ${link.name} round ${i + 1}: ours ${r.seconds.toFixed(2)} s (copy ${r.copySeconds.toFixed(2)} s, ${r.channels} channels, RTT ${r.rttMs.toFixed(0)} ms, peak RSS ${r.maxRssMB.toFixed(0)} MB), sftp ${sftp[i]?.toFixed(2)} s, scp ${scp[i]?.toFixed(2)} s; ${loadLine()}`,
    )
  }
  const linkBytesPerS = (link.rateMbit * 1e6) / 8
  return {
    ours: median(ours),
    sftp: median(sftp),
    scp: median(scp),
    utilization: job.size / median(copy) / linkBytesPerS,
  }
}

export default async function fetchWanBench(): Promise<void> {
  const sizeMB = Number(process.env.ZSDR_BENCH_FETCH_WAN_MB ?? 512)
  const rounds = Number(process.env.ZSDR_BENCH_ROUNDS ?? 1)
  const dir = mkdtempSync(join(tmpdir(), 'zsdr-bench-fetch-wan-'))
  chmodSync(dir, 0o755)
  const sshd = await startSshd()
  try {
    const key = generateKeyPair(dir, 'bench-key')
    sshd.authorize(key.publicKeyText)
    const remote = join(dir, 'backup.bin')
    makeFile(remote, sizeMB * 1024 * 1024)
    console.log(`fetch-wan, ${sizeMB} MiB, ${rounds} round(s); before: ${loadLine()}`)
    const results: LinkResult[] = []
    for (const link of LINKS) {
      const emulator = await startLinkEmulator(sshd.port, link)
      try {
        const job: FetchJob = {
          port: emulator.port,
          user: sshd.user,
          key: key.privateKey,
          remote,
          local: join(dir, 'copy.bin'),
          knownHosts: join(dir, `known_hosts_${emulator.port}`),
          size: sizeMB * 1024 * 1024,
        }
        const r = await measure(job, link, rounds)
        results.push(r)
        console.log(
          `${link.name} (${link.rttMs} ms, ${link.rateMbit} Mbit/s): ours ${r.ours.toFixed(2)} s, OpenSSH sftp ${r.sftp.toFixed(2)} s, scp ${r.scp.toFixed(2)} s; ratio to sftp ${(r.ours / r.sftp).toFixed(2)}, link utilisation ${(r.utilization * 100).toFixed(0)}%`,
        )
      } finally {
        await emulator.stop()
      }
    }
    console.log(`after: ${loadLine()}`)
    const long = results.at(-1) as LinkResult
    printSecondsResult('fetch-wan', long.ours, long.sftp, {
      linkUtilization: Number(Math.min(1, long.utilization).toFixed(3)),
    })
  } finally {
    await sshd.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
