import type { ErrorEnvelope } from '../../../src-main/api/contract/index.js'
import { call } from './api.js'
import { toEnvelope } from './errors.js'
import { ops } from './ops.svelte.js'

/**
 * Starts a long call (one that answers `{ opId }`), tracks it in the jobs list and resolves when it
 * ends. Screens show `OpProgress` for `running` and the error if it failed.
 */
export class ActionRunner {
  running = $state<string[]>([])
  error = $state<ErrorEnvelope | null>(null)

  async start(
    name: string,
    request: unknown,
    kind: string,
    label: string,
    onSuccess?: () => void,
  ): Promise<boolean> {
    this.error = null
    let opId: string
    try {
      ;({ opId } = (await call(name as never, request as never)) as { opId: string })
    } catch (e) {
      this.error = toEnvelope(e)
      return false
    }
    ops.track(opId, kind, label)
    this.running = [opId, ...this.running]
    const finished = await ops.finishedOf(opId)
    if (finished.outcome === 'succeeded') onSuccess?.()
    return finished.outcome === 'succeeded'
  }
}
