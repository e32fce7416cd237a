/**
 * The contract's lists of names, free of zod: the CLI offers them as choices when it registers
 * its commands, and `zsdr --help` must not load the schemas (zod is the slowest import at start-up,
 * #17). The schemas are built from these lists, and the compiler checks that they match.
 */

/** The async/sync Disaster Recovery APIs `zstack.dr.call` runs (the two Query APIs go through `zstack.query`). */
export const drCallNames = [
  'CreateVolumeBackup',
  'DeleteVolumeBackup',
  'CreateDataVolumeTemplateFromVolumeBackup',
  'CreateRootVolumeTemplateFromVolumeBackup',
  'RevertVolumeFromVolumeBackup',
  'RecoverBackupFromImageStoreBackupStorage',
  'SyncBackupFromImageStoreBackupStorage',
  'CreateVmBackup',
  'DeleteVmBackup',
  'RevertVmFromVmBackup',
  'RecoverVmBackupFromImageStoreBackupStorage',
  'SyncVmBackupFromImageStoreBackupStorage',
  'CreateDatabaseBackup',
  'DeleteDatabaseBackup',
  'RecoverDatabaseFromBackup',
  'ExportDatabaseBackupFromBackupStorage',
  'GetDatabaseBackupFromImageStore',
  'DeleteExportedDatabaseBackupFromBackupStorage',
  'SyncDatabaseBackupFromImageStoreBackupStorage',
  'CreateSchedulerJob',
  'CreateSchedulerTrigger',
  'AddSchedulerJobToSchedulerTrigger',
  'RemoveSchedulerJobFromSchedulerTrigger',
  'DeleteSchedulerJob',
  'DeleteSchedulerTrigger',
  'ChangeSchedulerState',
] as const
export type DrCallName = (typeof drCallNames)[number]

/** What `zstack.query` asks the management node for. */
export const queryResources = [
  'volumeBackups',
  'databaseBackups',
  'imageStoreBackupStorages',
  'volumes',
  'vmInstances',
  'images',
  'zones',
  'schedulerJobs',
  'schedulerTriggers',
] as const

/** What the offline inventory keeps per connection. */
export const cacheResources = [
  'volumeBackups',
  'databaseBackups',
  'imageStoreBackupStorages',
  'volumes',
  'vmInstances',
  'images',
  'schedulerJobs',
  'schedulerTriggers',
] as const
export type CacheResource = (typeof cacheResources)[number]

/** Days of a weekly schedule, as the 3.0.0 scheduler's cron spells them. */
export const weekDays = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const
