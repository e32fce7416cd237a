import type { ErrorEnvelope } from '../../../src-main/api/contract/index.js'
import { call } from './api.js'
import { toEnvelope } from './errors.js'

/** A management node as the screens need it: where, whether it answers, how fresh its cache is. */
export interface ConnectionView {
  id: string
  name: string
  endpoint: string
  accountName: string
  online: boolean | null
  offlineSince: string | null
  lastSyncAt: string | null
}

const STORAGE_KEY = 'zsdr.connection'

/** The connections and which one the inventory screens show (remembered across reloads). */
class ConnectionsStore {
  list = $state<ConnectionView[]>([])
  loaded = $state(false)
  error = $state<ErrorEnvelope | null>(null)
  private chosen = $state<string | null>(localStorage.getItem(STORAGE_KEY))

  get current(): ConnectionView | null {
    return this.list.find((c) => c.id === this.chosen) ?? this.list[0] ?? null
  }

  choose(id: string): void {
    this.chosen = id
    localStorage.setItem(STORAGE_KEY, id)
  }

  async refresh(): Promise<void> {
    try {
      this.list = (await call('zstack.connections.list' as never, {} as never)) as ConnectionView[]
      this.error = null
    } catch (e) {
      this.error = toEnvelope(e)
    } finally {
      this.loaded = true
    }
  }
}

export const connections = new ConnectionsStore()
