import type { DrCallName, ErrorEnvelope } from '../../../src-main/api/contract/index.js'
import { call } from './api.js'
import { toEnvelope } from './errors.js'
import { ops } from './ops.svelte.js'

/**
 * Starts a Disaster Recovery API as an operation (`zstack.dr.start` answers `{ opId }` at once),
 * tracks it in the jobs list and resolves when it ends. Screens show `OpProgress` for what is
 * `running` and the error when one fails.
 */
export class ActionRunner {
  /** The operations this screen started and still shows (newest first). */
  running = $state<string[]>([])
  error = $state<ErrorEnvelope | null>(null)

  async dr(
    connectionId: string,
    api: DrCallName,
    params: Record<string, unknown>,
    subject: string,
    onSuccess?: () => void,
  ): Promise<boolean> {
    this.error = null
    let opId: string
    try {
      ;({ opId } = await call('zstack.dr.start', { connectionId, api, params, subject } as never))
    } catch (e) {
      this.error = toEnvelope(e)
      return false
    }
    ops.track(opId, 'zstack.dr', api, subject, connectionId)
    this.running = [opId, ...this.running]
    const finished = await ops.finishedOf(opId)
    if (finished.outcome === 'succeeded') onSuccess?.()
    return finished.outcome === 'succeeded'
  }

  /** Hides an operation's card; the operation itself goes on and stays listed in Jobs. */
  dismiss(opId: string): void {
    this.running = this.running.filter((id) => id !== opId)
  }
}
