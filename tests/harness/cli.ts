import { spawn } from 'node:child_process'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { CliContext } from '../../src-main/cli/context.js'
import { runCli } from '../../src-main/cli/program.js'

export const ZSDR_BIN = fileURLToPath(new URL('../../bin/zsdr.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the real `zsdr` binary (as a user would), with optional stdin and extra environment. */
export function runZsdr(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ZSDR_BIN, ...args], { env: { ...process.env, ...options.env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => {
      stdout += c
    })
    child.stderr.on('data', (c) => {
      stderr += c
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(options.stdin ?? '')
  })
}

/**
 * Runs the CLI in-process (spawning tsx costs seconds per run on this machine) with `env` set for
 * the duration of the call and restored after; use `runZsdr` where the real binary matters.
 * `tty` makes stdout and stderr say they are a terminal of that width (as a pseudo-terminal would).
 */
export async function runZsdrInProcess(
  args: string[],
  env: Record<string, string>,
  options: { tty?: { columns: number } } = {},
): Promise<CliResult> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  Object.assign(process.env, env)
  let stdout = ''
  let stderr = ''
  const sink = (append: (s: string) => void) =>
    Object.assign(
      new Writable({
        write(chunk, _encoding, done) {
          append(String(chunk))
          done()
        },
      }),
      options.tty ? { isTTY: true, columns: options.tty.columns } : {},
    )
  try {
    const ctx = new CliContext(
      sink((s) => (stdout += s)),
      sink((s) => (stderr += s)),
    )
    return { code: await runCli(args, ctx), stdout, stderr }
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/** The first character a terminal would act on (C0 but tab and newline, DEL, C1, bidi overrides), if any. */
export function rawTerminalControl(text: string): string | undefined {
  return [...text].find((c) => {
    const n = c.codePointAt(0) ?? 0
    return (n < 0x20 && n !== 0x09 && n !== 0x0a) || (n >= 0x7f && n <= 0x9f) || (n >= 0x202a && n <= 0x202e)
  })
}
