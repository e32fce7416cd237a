/** Inventories as ZStack returns them (spec §4; dates are Gson strings, sizes bytes). */
export interface BackupStorageRef {
  backupStorageUuid: string
  installPath?: string
  exportUrl?: string | null
  status?: string
  createDate?: string
  lastOpDate?: string
}

export interface VolumeBackup {
  uuid: string
  volumeUuid?: string
  name?: string
  description?: string | null
  type?: string
  state?: string
  status?: string
  size?: number
  metadata?: string | null
  groupUuid?: string | null
  createDate?: string
  lastOpDate?: string
  backupStorageRefs?: BackupStorageRef[]
}

export interface DatabaseBackup {
  uuid: string
  name?: string
  description?: string | null
  state?: string
  status?: string
  size?: number
  metadata?: string | null
  createDate?: string
  lastOpDate?: string
  backupStorageRefs?: BackupStorageRef[]
}

export interface BackupStorage {
  uuid: string
  name?: string
  hostname?: string
  url?: string
  state?: string
  status?: string
  totalCapacity?: number
  availableCapacity?: number
}

export interface Volume {
  uuid: string
  name?: string
  type?: string
  size?: number
  vmInstanceUuid?: string | null
}

export interface VmInstance {
  uuid: string
  name?: string
  state?: string
  rootVolumeUuid?: string
}
