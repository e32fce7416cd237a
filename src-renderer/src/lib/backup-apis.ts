/**
 * The DR API behind each action on a backup, per kind, and the parameter naming the backup (a VM
 * backup is named by its groupUuid). The single-backup actions and the bulk actions share it.
 */
export const BACKUP_APIS = {
  volume: {
    resource: 'volumeBackups',
    idParam: 'uuid',
    delete: 'DeleteVolumeBackup',
    revert: 'RevertVolumeFromVolumeBackup',
    sync: 'SyncBackupFromImageStoreBackupStorage',
    recover: 'RecoverBackupFromImageStoreBackupStorage',
  },
  vm: {
    resource: 'volumeBackups',
    idParam: 'groupUuid',
    delete: 'DeleteVmBackup',
    revert: 'RevertVmFromVmBackup',
    sync: 'SyncVmBackupFromImageStoreBackupStorage',
    recover: 'RecoverVmBackupFromImageStoreBackupStorage',
  },
  database: {
    resource: 'databaseBackups',
    idParam: 'uuid',
    delete: 'DeleteDatabaseBackup',
    sync: 'SyncDatabaseBackupFromImageStoreBackupStorage',
  },
} as const

export type BackupKind = keyof typeof BACKUP_APIS
