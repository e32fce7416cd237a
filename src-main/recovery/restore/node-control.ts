import { stripVTControlCharacters } from 'node:util'
import type { RemoteHost } from '../../ssh/remote-host.js'
import { sq } from './shell.js'

export interface NodeState {
  /** zstack-ctl exists on the host. */
  zstackCtl: boolean
  /** null when it cannot be told (no zstack-ctl, or a status it does not print). */
  running: boolean | null
  /** zstack-ctl has `stop_ui`/`start_ui` (current versions restart the UI around a zstack_ui restore). */
  ui?: boolean
}

/**
 * The management node as zstack-ctl sees it. `zstack-ctl status` prints `MN status: Running [PID:...]`
 * or `MN status: Stopped`; hosts without zstack-ctl (a database-only host, a test box) report unknown.
 */
export async function nodeState(host: RemoteHost, zstackCtl: string): Promise<NodeState> {
  const found = await host.run(`command -v ${sq(zstackCtl)}`)
  if (found.code !== 0) return { zstackCtl: false, running: null }
  const status = await host.run(`${sq(zstackCtl)} status 2>&1`)
  const m = /MN status:\s*(\w+)/i.exec(stripVTControlCharacters(status.stdout))
  const word = m?.[1]?.toLowerCase()
  const help = await host.run(`${sq(zstackCtl)} --help 2>&1`)
  return {
    zstackCtl: true,
    running: word === 'running' ? true : word === 'stopped' ? false : null,
    ui: /\bstop_ui\b/.test(help.stdout) && /\bstart_ui\b/.test(help.stdout),
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
