/**
 * Queryable fields per resource, for the query bar's completion and its unknown-field check.
 * The same names the offline cache and the management node accept.
 */
const REF_FIELDS = ['backupStorageUuid', 'installPath', 'status', 'createDate', 'lastOpDate']

export const VOLUME_BACKUP_FIELDS: readonly string[] = [
  'uuid',
  'name',
  'description',
  'volumeUuid',
  'type',
  'state',
  'status',
  'size',
  'metadata',
  'groupUuid',
  'createDate',
  'lastOpDate',
  ...REF_FIELDS.map((f) => `backupStorageRefs.${f}`),
]

export const DATABASE_BACKUP_FIELDS: readonly string[] = [
  'uuid',
  'name',
  'description',
  'state',
  'status',
  'size',
  'metadata',
  'createDate',
  'lastOpDate',
  ...[...REF_FIELDS, 'exportUrl'].map((f) => `backupStorageRefs.${f}`),
]
