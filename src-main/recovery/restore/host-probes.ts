import { AppError } from '../../errors/app-error.js'
import type { RemoteHost } from '../../ssh/remote-host.js'

export interface ProbeResult {
  /** The probe's exit status. */
  code: number
  /** Its standard output, trailing newlines removed (as `$(...)` does). */
  stdout: string
}

const NAME = /^[a-z][a-z_]*$/
const HEADER = /^=([a-z][a-z_]*) (\d{1,3})$/

/**
 * Runs independent shell probes as one SSH command: one round trip instead of one per probe (over a
 * 100 ms link, eight probes one by one cost most of a second). Each probe's output comes back as a
 * `=name status` header followed by its lines, each prefixed by `|`, so nothing a probe prints can
 * pass for a header; an answer that is not exactly the probes asked for, in order, is refused. No
 * probe reads stdin; stderr is discarded unless the probe redirects it itself (`2>&1`).
 */
export async function runProbes<K extends string>(
  host: RemoteHost,
  probes: Record<K, string>,
): Promise<Record<K, ProbeResult>> {
  const names = Object.keys(probes) as K[]
  for (const name of names) if (!NAME.test(name)) throw new Error(`bad probe name ${name}`)
  const script = names
    .map(
      (name) =>
        `o=$( { ${probes[name]}\n} </dev/null 2>/dev/null ); c=$?; echo "=${name} $c"; [ -z "$o" ] || printf '%s\\n' "$o" | sed 's/^/|/'`,
    )
    .join('\n')
  const answer = await host.run(script)
  return parseProbes(answer.stdout, names, host.label)
}

/** The strict reading of `runProbes`' answer (exported for its tests). */
export function parseProbes<K extends string>(
  stdout: string,
  names: readonly K[],
  hostLabel: string,
): Record<K, ProbeResult> {
  const results = {} as Record<K, ProbeResult>
  const lines = stdout.endsWith('\n') ? stdout.slice(0, -1).split('\n') : stdout.split('\n')
  let current: { name: K; code: number; lines: string[] } | null = null
  const close = () => {
    if (current) results[current.name] = { code: current.code, stdout: current.lines.join('\n') }
  }
  let next = 0
  for (const line of stdout === '' ? [] : lines) {
    if (line.startsWith('|') && current) {
      current.lines.push(line.slice(1))
      continue
    }
    const header = HEADER.exec(line)
    if (!header || header[1] !== names[next]) throw unreadable(hostLabel, names[next] ?? null)
    close()
    current = { name: names[next] as K, code: Number(header[2]), lines: [] }
    next++
  }
  close()
  if (next !== names.length) throw unreadable(hostLabel, names[next] ?? null)
  return results
}

function unreadable(hostLabel: string, expected: string | null): AppError {
  return new AppError(
    'restore.host_answer_unreadable',
    {
      en: `${hostLabel} answered the preflight's checks with something that is not their output${expected ? ` (at "${expected}")` : ''}: its shell may print text of its own at login. Nothing was changed.`,
      zh: `${hostLabel} 对预检命令的回答不是预期的输出${expected ? `（位于 “${expected}”）` : ''}：其 shell 可能在登录时输出了额外文字。未做任何更改。`,
    },
    { expected },
  )
}
