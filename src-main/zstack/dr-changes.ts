import type { DrApiName } from './dr-api.js'

/**
 * Which cached records a successful DR call changed, so the offline cache can re-read exactly
 * those from the node at once (rather than showing a deleted backup until the next sync).
 * Records are named by a field and its values: a VM backup is every volume backup of its group.
 */
export interface DrChange {
  resource: 'volumeBackups' | 'databaseBackups' | 'images'
  field: 'uuid' | 'groupUuid'
  values: string[]
}

type Bag = Record<string, unknown>

const str = (v: unknown): string[] => (typeof v === 'string' ? [v] : [])
/** `{inventory: {uuid}}` or `{inventories: [{uuid}]}` in a reply. */
const replied = (reply: unknown): string[] => {
  const r = (reply ?? {}) as { inventory?: Bag; inventories?: Bag[] }
  return [r.inventory, ...(Array.isArray(r.inventories) ? r.inventories : [])].flatMap((i) => str(i?.uuid))
}

const byUuid = (resource: DrChange['resource'], pick: (p: Bag, reply: unknown) => string[]) => ({
  resource,
  field: 'uuid' as const,
  pick,
})
const byGroup = {
  resource: 'volumeBackups' as const,
  field: 'groupUuid' as const,
  pick: (p: Bag) => str(p.groupUuid),
}

const RULES: Partial<
  Record<
    DrApiName,
    { resource: DrChange['resource']; field: DrChange['field']; pick: (p: Bag, reply: unknown) => string[] }
  >
> = {
  CreateVolumeBackup: byUuid('volumeBackups', (_p, r) => replied(r)),
  DeleteVolumeBackup: byUuid('volumeBackups', (p) => str(p.uuid)),
  RevertVolumeFromVolumeBackup: byUuid('volumeBackups', (p) => str(p.uuid)),
  RecoverBackupFromImageStoreBackupStorage: byUuid('volumeBackups', (p) => str(p.uuid)),
  SyncBackupFromImageStoreBackupStorage: byUuid('volumeBackups', (p) => str(p.uuid)),
  CreateDataVolumeTemplateFromVolumeBackup: byUuid('images', (_p, r) => replied(r)),
  CreateRootVolumeTemplateFromVolumeBackup: byUuid('images', (_p, r) => replied(r)),
  CreateVmBackup: byUuid('volumeBackups', (_p, r) => replied(r)),
  DeleteVmBackup: byGroup,
  RevertVmFromVmBackup: byGroup,
  RecoverVmBackupFromImageStoreBackupStorage: byGroup,
  SyncVmBackupFromImageStoreBackupStorage: byGroup,
  CreateDatabaseBackup: byUuid('databaseBackups', (_p, r) => replied(r)),
  DeleteDatabaseBackup: byUuid('databaseBackups', (p) => str(p.uuid)),
  ExportDatabaseBackupFromBackupStorage: byUuid('databaseBackups', (p) => str(p.databaseBackupUuid)),
  DeleteExportedDatabaseBackupFromBackupStorage: byUuid('databaseBackups', (p) => str(p.databaseBackupUuid)),
  SyncDatabaseBackupFromImageStoreBackupStorage: byUuid('databaseBackups', (p) => str(p.uuid)),
}

export function drChanges(api: DrApiName, params: unknown, reply: unknown): DrChange[] {
  const rule = RULES[api]
  if (!rule) return []
  const values = rule.pick((params ?? {}) as Bag, reply).filter((v) => /^[0-9a-f]{32}$/i.test(v))
  return values.length > 0 ? [{ resource: rule.resource, field: rule.field, values }] : []
}
