/**
 * `npm run bench -- cli-start`: how long `zsdr --help` takes from the shell (bin/zsdr.js starting
 * the built, bundled CLI) against `node -e 0`, in the same run, alternating, median of 11 rounds,
 * with the load average printed. Builds first (`electron-vite build`) so the built entry is the
 * one measured. Target (#17): < 300 ms and ≤ 3× `node -e 0`.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ZSDR_BIN } from '../harness/cli.js'
import { loadLine, median, printSecondsResult } from './_result.js'

const ROUNDS = 11

function seconds(args: string[]): number {
  const started = performance.now()
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return (performance.now() - started) / 1000
}

export default async function cliStartBench(): Promise<void> {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  execFileSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'ignore' })
  console.log(`cli-start, ${ROUNDS} rounds; before: ${loadLine()}`)
  const zsdr: number[] = []
  const node: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    node.push(seconds(['-e', '0']))
    zsdr.push(seconds([ZSDR_BIN, '--help']))
  }
  const value = median(zsdr)
  const baseline = median(node)
  console.log(
    `zsdr --help median ${(value * 1000).toFixed(0)} ms, node -e 0 median ${(baseline * 1000).toFixed(0)} ms; after: ${loadLine()}`,
  )
  printSecondsResult('cli-start', value, baseline)
}
