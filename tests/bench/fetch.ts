/**
 * `npm run bench -- fetch`: a 1 GiB file from a loopback sshd, our SFTP download (connectHost +
 * downloadFile, as `zsdr db fetch` does it) against OpenSSH's `sftp` in the same run, each timed
 * from start (connection included) to the last byte. Loopback figures vary a lot from run to run:
 * the result is the median of 5 rounds (the two alternate), with the load average printed.
 * Target: median ratio ≤ 1.1, peak RSS of the fetching process < 200 MB.
 * ZSDR_BENCH_FETCH_MB changes the size (quick checks); ZSDR_BENCH_ROUNDS the number of rounds.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, startSshd } from '../harness/sshd.js'
import { type FetchJob, makeFile, opensshFetch, ourFetch } from './_fetch-common.js'
import { loadLine, median, printSecondsResult } from './_result.js'

export default async function fetchBench(): Promise<void> {
  const sizeMB = Number(process.env.ZSDR_BENCH_FETCH_MB ?? 1024)
  const rounds = Number(process.env.ZSDR_BENCH_ROUNDS ?? 5)
  const dir = mkdtempSync(join(tmpdir(), 'zsdr-bench-fetch-'))
  chmodSync(dir, 0o755)
  const sshd = await startSshd()
  try {
    const key = generateKeyPair(dir, 'bench-key')
    sshd.authorize(key.publicKeyText)
    const job: FetchJob = {
      port: sshd.port,
      user: sshd.user,
      key: key.privateKey,
      remote: join(dir, 'backup.bin'),
      local: join(dir, 'copy.bin'),
      knownHosts: join(dir, 'known_hosts'),
      size: sizeMB * 1024 * 1024,
    }
    makeFile(job.remote, job.size)
    console.log(`fetch (loopback), ${sizeMB} MiB, ${rounds} rounds; before: ${loadLine()}`)
    const ours: number[] = []
    const theirs: number[] = []
    let peakRss = 0
    // Alternate the two so that load from other work on the machine hits both alike.
    for (let i = 0; i < rounds; i++) {
      theirs.push(await opensshFetch('sftp', job))
      const r = await ourFetch(job)
      ours.push(r.seconds)
      peakRss = Math.max(peakRss, r.maxRssMB)
      console.log(
        `round ${i + 1}: ours ${r.seconds.toFixed(2)} s (${r.channels} channel(s), RTT ${r.rttMs.toFixed(2)} ms, copy CPU ${r.copyCpuSeconds.toFixed(2)} s, peak RSS ${r.maxRssMB.toFixed(0)} MB), OpenSSH sftp ${theirs[i]?.toFixed(2)} s; ${loadLine()}`,
      )
    }
    const value = median(ours)
    const baseline = median(theirs)
    console.log(
      `${sizeMB} MiB: ours median ${value.toFixed(2)} s, OpenSSH sftp median ${baseline.toFixed(2)} s, peak RSS ${peakRss.toFixed(0)} MB; after: ${loadLine()}`,
    )
    printSecondsResult('fetch', value, baseline, { peakRssMB: Math.round(peakRss), sizeMB })
  } finally {
    await sshd.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
