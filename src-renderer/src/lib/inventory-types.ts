/** Inventories as ZStack returns them: the main process's definitions, imported as types only. */
import type { DatabaseBackupRef, VolumeBackupRef } from '../../../src-main/zstack/inventories.js'

export type {
  DatabaseBackupInventory as DatabaseBackup,
  ImageStoreBackupStorageInventory as BackupStorage,
  VmInstanceInventory as VmInstance,
  VolumeBackupInventory as VolumeBackup,
  VolumeInventory as Volume,
} from '../../../src-main/zstack/inventories.js'

/** A copy of a backup on one image store (volume and database backups share the fields the UI shows). */
export type BackupStorageRef = VolumeBackupRef | DatabaseBackupRef
