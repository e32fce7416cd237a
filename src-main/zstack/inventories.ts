/**
 * Inventories as the management node sends them (spec digest). Dates are Gson strings in the
 * node's local time (`Nov 14, 2017 10:20:57 PM`); sizes are integers in bytes. Fields the node
 * may leave out are optional.
 */
export type GsonDate = string

export interface VolumeBackupRef {
  volumeBackupUuid: string
  backupStorageUuid: string
  installPath: string
  status: string
  createDate?: GsonDate
  lastOpDate?: GsonDate
}

export interface VolumeBackupInventory {
  uuid: string
  volumeUuid: string
  name: string
  description?: string | null
  type?: string
  state?: string
  status?: string
  size?: number
  metadata?: string | null
  groupUuid?: string | null
  createDate?: GsonDate
  lastOpDate?: GsonDate
  backupStorageRefs?: VolumeBackupRef[]
}

export interface DatabaseBackupRef {
  databaseBackupUuid: string
  backupStorageUuid: string
  installPath: string
  exportUrl?: string | null
  status: string
  createDate?: GsonDate
  lastOpDate?: GsonDate
}

export interface DatabaseBackupInventory {
  uuid: string
  name: string
  description?: string | null
  state?: string
  status?: string
  size?: number
  metadata?: string | null
  createDate?: GsonDate
  lastOpDate?: GsonDate
  backupStorageRefs?: DatabaseBackupRef[]
}

export interface ImageInventory {
  uuid: string
  name: string
  description?: string | null
  exportUrl?: string | null
  exportMd5Sum?: string | null
  state?: string
  status?: string
  size?: number
  actualSize?: number
  md5Sum?: string | null
  url?: string | null
  mediaType?: string
  guestOsType?: string | null
  type?: string
  platform?: string
  format?: string
  system?: boolean
  createDate?: GsonDate
  lastOpDate?: GsonDate
  backupStorageRefs?: { imageUuid: string; backupStorageUuid: string; installPath: string; status: string }[]
}

export interface ImageStoreBackupStorageInventory {
  uuid: string
  name: string
  description?: string | null
  url?: string
  hostname?: string
  username?: string
  sshPort?: number
  type?: string
  state?: string
  status?: string
  totalCapacity?: number
  availableCapacity?: number
  attachedZoneUuids?: string[]
  createDate?: GsonDate
  lastOpDate?: GsonDate
}

export interface VolumeInventory {
  uuid: string
  name: string
  description?: string | null
  vmInstanceUuid?: string | null
  type?: string
  format?: string
  size?: number
  actualSize?: number
  deviceId?: number | null
  state?: string
  status?: string
  createDate?: GsonDate
  lastOpDate?: GsonDate
}

export interface VmInstanceInventory {
  uuid: string
  name: string
  description?: string | null
  zoneUuid?: string
  rootVolumeUuid?: string
  platform?: string
  state?: string
  memorySize?: number
  cpuNum?: number
  allVolumes?: VolumeInventory[]
  createDate?: GsonDate
  lastOpDate?: GsonDate
}

/** One entry of GetDatabaseBackupFromImageStore's `backups`. */
export interface ImageStoreDatabaseBackup {
  name: string
  version: string
  installPath: string
  createdTime: string
}

export interface QueryResult<T> {
  inventories: T[]
  total?: number
}

/** A 3.0.0 scheduler job (spec digest): no type field; `jobData` is a JSON string the node wrote. */
export interface SchedulerJobInventory {
  uuid: string
  targetResourceUuid?: string | null
  name: string
  description?: string | null
  state?: string
  createDate?: GsonDate
  lastOpDate?: GsonDate
  jobData?: string | null
  triggersUuid?: string[] | null
}

export interface SchedulerTriggerInventory {
  uuid: string
  name: string
  description?: string | null
  cron?: string | null
  schedulerType: string
  schedulerInterval?: number | null
  repeatCount?: number | null
  /** Gson date (or Unix seconds on some builds: a guess the reader must allow). */
  startTime?: GsonDate | number | null
  stopTime?: GsonDate | number | null
  createDate?: GsonDate
  lastOpDate?: GsonDate
  jobsUuid?: string[] | null
}

/** The reply of AddSchedulerJobToSchedulerTrigger: the job-trigger link. */
export interface SchedulerJobTriggerRef {
  schedulerJobUuid?: string
  schedulerTriggerUuid?: string
}
