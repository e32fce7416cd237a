import { parseArgs } from 'node:util'
import type { SeedName } from './seed.js'
import { startSimulator } from './simulator.js'

/**
 * `npm run sim -- --port <p> [--seed demo|large|empty] [--session-ttl <s>] [--job-latency <ms>]
 *  [--job-ttl <s>] [--webhook-interval <ms>]`: a simulated ZStack management node on 127.0.0.1.
 * Prints exactly `listening http://127.0.0.1:<p>/zstack` once ready.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    seed: { type: 'string', default: 'demo' },
    'session-ttl': { type: 'string', default: '7200' },
    'job-latency': { type: 'string', default: '300' },
    'job-ttl': { type: 'string', default: '10800' },
    'webhook-interval': { type: 'string', default: '2000' },
    help: { type: 'boolean', default: false },
  },
})

if (values.help) {
  console.log(
    'usage: npm run sim -- [--port <p>] [--seed demo|large|empty] [--session-ttl <s>] [--job-latency <ms>] [--job-ttl <s>] [--webhook-interval <ms>]',
  )
  process.exit(0)
}

function int(name: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got ${text}`)
    process.exit(2)
  }
  return n
}

if (!['demo', 'large', 'empty'].includes(values.seed)) {
  console.error(`--seed must be demo, large or empty, got ${values.seed}`)
  process.exit(2)
}

const sim = await startSimulator({
  port: int('port', values.port),
  seed: values.seed as SeedName,
  sessionTtlSeconds: int('session-ttl', values['session-ttl']),
  jobLatencyMs: int('job-latency', values['job-latency']),
  jobTtlMs: int('job-ttl', values['job-ttl']) * 1000,
  webhookIntervalMs: int('webhook-interval', values['webhook-interval']),
})
console.log(`listening ${sim.baseUrl}`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void sim.close().then(() => process.exit(0))
  })
}
