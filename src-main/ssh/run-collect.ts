import type { RemoteProcess, RunResult } from './remote-host.js'

const MAX_COLLECTED = 16 * 1024 * 1024

/** Feeds optional stdin, collects stdout/stderr (capped, so a runaway command cannot exhaust memory). */
export async function collectRun(proc: RemoteProcess, stdin?: string | Buffer): Promise<RunResult> {
  const out = collect(proc.stdout)
  const err = collect(proc.stderr)
  proc.stdin.end(stdin)
  const [{ code }, stdout, stderr] = await Promise.all([proc.exit, out, err])
  return { code, stdout, stderr }
}

/** A stream's text, capped at MAX_COLLECTED bytes (what is past it is dropped). */
export function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    stream.on('data', (c: Buffer) => {
      if (size < MAX_COLLECTED) chunks.push(c)
      size += c.length
    })
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    stream.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}
