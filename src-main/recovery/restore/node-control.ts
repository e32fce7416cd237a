import { stripVTControlCharacters } from 'node:util'
import type { RemoteHost } from '../../ssh/remote-host.js'
import type { ProbeResult } from './host-probes.js'
import { sq } from './shell.js'

export interface NodeState {
  /** zstack-ctl exists on the host. */
  zstackCtl: boolean
  /** null when it cannot be told (no zstack-ctl, or a status it does not print). */
  running: boolean | null
  /** zstack-ctl has `stop_ui`/`start_ui` (current versions restart the UI around a zstack_ui restore). */
  ui?: boolean
}

/** The probes (see `runProbes`) that `nodeStateFrom` reads: one round trip with the other host checks. */
export function nodeStateProbes(zstackCtl: string): Record<NodeProbe, string> {
  const ctl = sq(zstackCtl)
  return {
    ctl_found: `command -v ${ctl}`,
    ctl_status: `command -v ${ctl} >/dev/null && ${ctl} status 2>&1`,
    ctl_help: `command -v ${ctl} >/dev/null && ${ctl} --help 2>&1`,
  }
}

type NodeProbe = 'ctl_found' | 'ctl_status' | 'ctl_help'

/**
 * The management node as zstack-ctl sees it. `zstack-ctl status` prints `MN status: Running [PID:...]`
 * or `MN status: Stopped`; hosts without zstack-ctl (a database-only host, a test box) report unknown.
 */
export function nodeStateFrom(probes: Record<NodeProbe, ProbeResult>): NodeState {
  if (probes.ctl_found.code !== 0) return { zstackCtl: false, running: null }
  const m = /MN status:\s*(\w+)/i.exec(stripVTControlCharacters(probes.ctl_status.stdout))
  const word = m?.[1]?.toLowerCase()
  const help = probes.ctl_help.stdout
  return {
    zstackCtl: true,
    running: word === 'running' ? true : word === 'stopped' ? false : null,
    ui: /\bstop_ui\b/.test(help) && /\bstart_ui\b/.test(help),
  }
}

export type ZstackCtlCommand = 'stop_node' | 'start_node' | 'stop_ui' | 'start_ui'

export async function zstackCtl(
  host: RemoteHost,
  path: string,
  command: ZstackCtlCommand,
): Promise<{ ok: boolean; output: string }> {
  const r = await host.run(`${sq(path)} ${command} 2>&1`)
  return { ok: r.code === 0, output: r.stdout.slice(-2000) }
}
