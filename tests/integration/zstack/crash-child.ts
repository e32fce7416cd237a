/**
 * A separate app process that connects to a node and sends one async call, for the crash tests:
 * the test kills it (SIGKILL) while the call is on its way, as a crash or power cut would.
 * Args: data folder, node address, backup storage uuid. Prints `connected` before sending.
 */
import { createServices } from '../../../src-main/services.js'
import { MemoryStore } from '../../../src-main/vault/secret-store.js'
import { Vault } from '../../../src-main/vault/vault.js'

const [dataDir, endpoint, backupStorageUuid] = process.argv.slice(2)
if (!dataDir || !endpoint || !backupStorageUuid) throw new Error('usage: crash-child <dir> <endpoint> <bs>')
const svc = createServices({ dataDir, vault: new Vault(new MemoryStore()) })
const ctx = { transport: 'cli' } as const
const conn = await svc.router.dispatch('zstack.connect', { endpoint, password: 'password' }, ctx)
if (!conn.ok) throw new Error(conn.error.message.en)
process.stdout.write('connected\n')
await svc.router.dispatch(
  'zstack.dr.call',
  {
    connectionId: (conn.value as { connectionId: string }).connectionId,
    api: 'CreateDatabaseBackup',
    params: { name: 'sent-before-crash', backupStorageUuid },
  },
  ctx,
)
