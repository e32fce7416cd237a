import { AppError } from '../errors/app-error.js'
import type { RemoteProcess, RunResult } from './remote-host.js'

const MAX_COLLECTED = 16 * 1024 * 1024

/**
 * Feeds optional stdin and collects stdout/stderr, capped so a runaway command cannot exhaust
 * memory. A cut stdout is an error, never an answer: a caller would take the part for the whole
 * (the restore drift once read "deleted" rows that were only past the cap). Commands with large
 * answers stream them instead (`exec`). A cut stderr only loses diagnostics and is kept.
 */
export async function collectRun(
  proc: RemoteProcess,
  stdin?: string | Buffer,
  host = 'the host',
): Promise<RunResult> {
  const out = collectCapped(proc.stdout)
  const err = collect(proc.stderr)
  proc.stdin.end(stdin)
  const [{ code }, stdout, stderr] = await Promise.all([proc.exit, out, err])
  if (stdout.cut) throw outputTooLarge(host, stdout.size)
  return { code, stdout: stdout.text, stderr }
}

/** A stream's text, capped at MAX_COLLECTED bytes (what is past it is dropped). */
export async function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return (await collectCapped(stream)).text
}

function collectCapped(stream: NodeJS.ReadableStream): Promise<{ text: string; size: number; cut: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    // The stream is drained to its end either way: an SSH channel only closes once read.
    stream.on('data', (c: Buffer) => {
      if (size < MAX_COLLECTED) chunks.push(c)
      size += c.length
    })
    const done = () => {
      const whole = Buffer.concat(chunks)
      resolve({ text: whole.subarray(0, MAX_COLLECTED).toString('utf8'), size, cut: size > MAX_COLLECTED })
    }
    stream.on('end', done)
    stream.on('error', done)
  })
}

function outputTooLarge(host: string, size: number): AppError {
  const mib = (size / 2 ** 20).toFixed(1)
  return new AppError(
    'ssh.output_too_large',
    {
      en: `A command on ${host} answered with ${mib} MiB, more than the 16 MiB this app reads at once; nothing of it was used.`,
      zh: `${host} 上的命令输出了 ${mib} MiB，超过本应用一次读取的 16 MiB 上限；其输出未被使用。`,
    },
    { host, bytes: size },
  )
}
