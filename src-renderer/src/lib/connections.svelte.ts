import type { CacheQueryAnswer, ConnectionInfo, ErrorEnvelope } from '../../../src-main/api/contract/index.js'
import { t } from '../i18n/index.svelte.js'
import { call } from './api.js'
import { toEnvelope } from './errors.js'

/** A management node as the screens need it: the saved connection plus whether it answers now. */
export interface ConnectionView extends ConnectionInfo {
  /** true: answered the last check; false: could not be reached; null: not checked (or no session). */
  online: boolean | null
  offlineSince: string | null
  lastCheckError: ErrorEnvelope | null
  /** Where the last list came from, and when its cached rows were fetched. */
  answeredFrom: 'node' | 'cache' | null
  cacheSyncedAt: string | null
}

/** Failures that mean "the node cannot be reached" rather than "the node said no". */
const UNREACHABLE = new Set([
  'zstack.unreachable',
  'zstack.connection_refused',
  'zstack.host_not_found',
  'zstack.timeout',
  'zstack.tls_error',
])

export function isUnreachable(error: ErrorEnvelope | null): boolean {
  return error !== null && UNREACHABLE.has(error.code)
}

/** Why an action that needs this node is disabled now; null while the node may be asked. */
export function unreachableReason(c: ConnectionView | null): string | null {
  return c?.online === false ? t('offline.actionReason', { node: c.name }) : null
}

const STORAGE_KEY = 'zsdr.connection'

/** The saved connections, their reachability, and which one the inventory screens show (remembered). */
class ConnectionsStore {
  list = $state<ConnectionView[]>([])
  loaded = $state(false)
  error = $state<ErrorEnvelope | null>(null)
  private chosen = $state<string | null>(localStorage.getItem(STORAGE_KEY))

  get current(): ConnectionView | null {
    return (
      this.list.find((c) => c.connectionId === this.chosen) ??
      this.list.find((c) => c.connected) ??
      this.list[0] ??
      null
    )
  }

  choose(id: string): void {
    this.chosen = id
    localStorage.setItem(STORAGE_KEY, id)
  }

  async refresh(): Promise<void> {
    try {
      const infos = await call('zstack.connections.list', {})
      this.list = infos.map((info) => {
        const known = this.list.find((c) => c.connectionId === info.connectionId)
        return {
          ...info,
          online: info.connected ? (known?.online ?? null) : null,
          offlineSince: known?.offlineSince ?? null,
          lastCheckError: known?.lastCheckError ?? null,
          answeredFrom: known?.answeredFrom ?? null,
          cacheSyncedAt: known?.cacheSyncedAt ?? null,
        }
      })
      this.error = null
      await Promise.all(this.list.filter((c) => c.connected).map((c) => this.check(c.connectionId)))
    } catch (e) {
      this.error = toEnvelope(e)
    } finally {
      this.loaded = true
    }
  }

  /** Asks the node whether our session is valid: an answer means online, a network failure offline. */
  async check(connectionId: string): Promise<void> {
    const c = this.list.find((x) => x.connectionId === connectionId)
    if (!c) return
    try {
      await call('zstack.session.check', { connectionId })
      c.online = true
      c.offlineSince = null
      c.lastCheckError = null
    } catch (e) {
      this.markFailure(connectionId, toEnvelope(e))
    }
  }

  /** Any call that failed because the node is unreachable marks it offline (since the first failure). */
  markFailure(connectionId: string, error: ErrorEnvelope): void {
    const c = this.list.find((x) => x.connectionId === connectionId)
    if (!c) return
    c.lastCheckError = error
    if (isUnreachable(error)) {
      c.online = false
      c.offlineSince ??= new Date().toISOString()
    }
  }

  /** A list answer says whether the node answered, and how old the cache is. */
  noteAnswer(connectionId: string, answer: CacheQueryAnswer): void {
    const c = this.list.find((x) => x.connectionId === connectionId)
    if (!c) return
    c.answeredFrom = answer.source
    c.cacheSyncedAt = answer.cache.syncedAt
    if (answer.source === 'node') {
      c.online = true
      c.offlineSince = null
    } else if (answer.nodeError) this.markFailure(connectionId, answer.nodeError)
  }

  upsert(info: ConnectionInfo): void {
    const view: ConnectionView = {
      ...info,
      online: info.connected ? true : null,
      offlineSince: null,
      lastCheckError: null,
      answeredFrom: null,
      cacheSyncedAt: null,
    }
    const i = this.list.findIndex((c) => c.connectionId === info.connectionId)
    if (i >= 0) this.list[i] = view
    else this.list.push(view)
  }
}

export const connections = new ConnectionsStore()
