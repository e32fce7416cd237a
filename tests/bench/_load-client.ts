/**
 * The load generator of the `api-load` benchmark, in its own process so that its work is not
 * counted against either server: `concurrency` clients (keep-alive) POST list queries back to back
 * for `durationMs`, while one more client calls a trivial endpoint every 20 ms and records its worst
 * latency. Args: a JSON `LoadSpec`. Prints one JSON `LoadResult` line.
 */
import { Agent, request } from 'node:http'

export interface LoadSpec {
  url: string
  headers: Record<string, string>
  /** Request bodies, used round-robin (different pages of the same list). */
  bodies: string[]
  concurrency: number
  durationMs: number
  /** A trivial call (POST, body `{}`) timed alongside, or null. */
  probeUrl: string | null
}

export interface LoadResult {
  requests: number
  errors: number
  p50Ms: number
  p99Ms: number
  perSecond: number
  probeMaxMs: number | null
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec
const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency + 1 })

function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...spec.headers, 'content-type': 'application/json' } },
      (res) => {
        res.resume()
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(performance.now() - t0)
            : reject(new Error(`HTTP ${res.statusCode}`)),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const latencies: number[] = []
let errors = 0
let next = 0
const end = performance.now() + spec.durationMs

async function client(): Promise<void> {
  while (performance.now() < end) {
    const body = spec.bodies[next++ % spec.bodies.length]!
    try {
      latencies.push(await post(spec.url, body))
    } catch {
      errors++
    }
  }
}

async function probe(url: string): Promise<number> {
  let worst = 0
  while (performance.now() < end) {
    worst = Math.max(worst, await post(url, '{}').catch(() => Number.POSITIVE_INFINITY))
    await new Promise((r) => setTimeout(r, 20))
  }
  return worst
}

const started = performance.now()
const [probeMax] = await Promise.all([
  spec.probeUrl ? probe(spec.probeUrl) : Promise.resolve(null),
  ...Array.from({ length: spec.concurrency }, client),
])
const seconds = (performance.now() - started) / 1000
latencies.sort((a, b) => a - b)
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
const result: LoadResult = {
  requests: latencies.length,
  errors,
  p50Ms: at(0.5),
  p99Ms: at(0.99),
  perSecond: latencies.length / seconds,
  probeMaxMs: probeMax,
}
console.log(JSON.stringify(result))
agent.destroy()
