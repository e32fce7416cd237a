import type { ErrorEnvelope } from '../../../src-main/api/contract/index.js'
import { connections } from './connections.svelte.js'
import { toEnvelope } from './errors.js'
import { type InventoryQuery, loadAll, type ResourceName } from './inventory.js'
import { blameQuery } from './query.js'

/**
 * A whole list screen's rows, loaded page by page (newest first) so every record is reachable; the
 * total says how many there are, so the table can say when it shows fewer. A query replaces the
 * rows; a rejected query clears them, so what is on screen never belongs to an older query.
 */
export class PagedList<T> {
  rows = $state.raw<T[]>([])
  /** How many records match; null while unknown (before the first page, or after an error). */
  total = $state<number | null>(null)
  loading = $state(false)
  conditions = $state<string[]>([])
  queryError = $state<ErrorEnvelope | null>(null)
  loadError = $state<ErrorEnvelope | null>(null)
  /** Bumped by every new query, so the table goes back to the top. */
  generation = $state(0)
  private controller: AbortController | null = null

  constructor(
    private readonly resource: ResourceName,
    private readonly base: Pick<InventoryQuery, 'fields'> & { conditions?: string[] } = {},
  ) {}

  /** Runs a new query from the top. */
  query(connectionId: string, conditions: string[]): Promise<void> {
    this.conditions = conditions
    this.generation++
    return this.reload(connectionId)
  }

  /** A query the bar refused before sending: nothing on screen may look like its answer. */
  refused(): void {
    this.controller?.abort()
    this.rows = []
    this.total = null
    this.loading = false
    this.generation++
  }

  /** Loads the current query again (after an action), keeping the place. */
  async reload(connectionId: string): Promise<void> {
    this.controller?.abort()
    const mine = new AbortController()
    this.controller = mine
    this.loading = true
    this.loadError = null
    this.queryError = null
    const conditions = [...(this.base.conditions ?? []), ...this.conditions]
    try {
      await loadAll<T>(
        connectionId,
        this.resource,
        {
          conditions,
          ...(this.base.fields ? { fields: this.base.fields } : {}),
          sort: { field: 'createDate', direction: 'desc' },
        },
        (rows, total) => {
          this.rows = rows
          this.total = total
        },
        mine.signal,
      )
    } catch (e) {
      if (mine.signal.aborted) return
      const envelope = toEnvelope(e)
      // Blamed from the request that failed, not from one error code (see blameQuery).
      if (blameQuery(envelope, conditions, [])) this.queryError = envelope
      else {
        this.loadError = envelope
        connections.markFailure(connectionId, envelope)
      }
      this.rows = []
      this.total = null
    } finally {
      if (this.controller === mine) this.loading = false
    }
  }
}
