import { untrack } from 'svelte'
import type { ErrorEnvelope } from '../../../src-main/api/contract/index.js'
import { connections } from './connections.svelte.js'
import { toEnvelope } from './errors.js'

/**
 * How a list screen loads what it shows for the chosen management node: again whenever (and only
 * when) the node changes, with `loading` and `error` for the template; a failure also tells the
 * connections store, which decides whether the node is unreachable. Create it during component init.
 */
export class NodeLoad {
  loading = $state(false)
  error = $state<ErrorEnvelope | null>(null)
  readonly connectionId = $derived(connections.current?.connectionId ?? null)

  constructor(private readonly load: (connectionId: string) => Promise<void>) {
    $effect(() => {
      if (this.connectionId) untrack(() => void this.reload())
    })
  }

  readonly reload = async (): Promise<void> => {
    const id = this.connectionId
    if (!id) return
    this.loading = true
    this.error = null
    try {
      await this.load(id)
    } catch (e) {
      this.error = toEnvelope(e)
      connections.markFailure(id, this.error)
    } finally {
      this.loading = false
    }
  }
}
