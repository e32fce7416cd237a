import { randomBytes } from 'node:crypto'
import type { Database } from 'better-sqlite3'

/** A saved management node connection (migration 2). No password: that is in the SecretStore. */
export interface ConnectionRecord {
  id: string
  name: string
  endpoint: string
  accountName: string
  insecureTls: boolean
  webhookBind: string | null
  webhookPublicHost: string | null
  createdAt: string
  lastConnectedAt: string | null
}

interface Row {
  id: string
  name: string
  endpoint: string
  account_name: string
  insecure_tls: number
  webhook_bind: string | null
  webhook_public_host: string | null
  created_at: string
  last_connected_at: string | null
}

export class ConnectionRepository {
  constructor(private readonly db: Database) {}

  /** Saves by (endpoint, account): connecting again to the same node and account re-uses the row. */
  upsert(c: Omit<ConnectionRecord, 'id' | 'createdAt' | 'lastConnectedAt'>): ConnectionRecord {
    const existing = this.db
      .prepare('SELECT * FROM zstack_connections WHERE endpoint = ? AND account_name = ?')
      .get(c.endpoint, c.accountName) as Row | undefined
    const id = existing?.id ?? randomBytes(8).toString('hex')
    this.db
      .prepare(
        `INSERT INTO zstack_connections (id, name, endpoint, account_name, insecure_tls, webhook_bind, webhook_public_host)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, insecure_tls = excluded.insecure_tls,
           webhook_bind = excluded.webhook_bind, webhook_public_host = excluded.webhook_public_host`,
      )
      .run(id, c.name, c.endpoint, c.accountName, c.insecureTls ? 1 : 0, c.webhookBind, c.webhookPublicHost)
    return this.get(id)!
  }

  touch(id: string): void {
    this.db
      .prepare('UPDATE zstack_connections SET last_connected_at = ? WHERE id = ?')
      .run(new Date().toISOString(), id)
  }

  get(id: string): ConnectionRecord | null {
    const row = this.db.prepare('SELECT * FROM zstack_connections WHERE id = ?').get(id) as Row | undefined
    return row ? fromRow(row) : null
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM zstack_connections WHERE id = ?').run(id)
  }

  list(): ConnectionRecord[] {
    return (this.db.prepare('SELECT * FROM zstack_connections ORDER BY name, id').all() as Row[]).map(fromRow)
  }
}

function fromRow(r: Row): ConnectionRecord {
  return {
    id: r.id,
    name: r.name,
    endpoint: r.endpoint,
    accountName: r.account_name,
    insecureTls: r.insecure_tls === 1,
    webhookBind: r.webhook_bind,
    webhookPublicHost: r.webhook_public_host,
    createdAt: r.created_at,
    lastConnectedAt: r.last_connected_at,
  }
}
