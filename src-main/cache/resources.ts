import { type CacheResource, cacheResources } from '../api/contract/choices.js'

/**
 * The resources the offline inventory keeps, described once: their REST path, their table, and
 * every queryable field with the type the server compares it as. The migration (003-cache) holds
 * the same columns; a unit test checks the two never drift apart.
 */

/** How a field is stored and compared: text ignores case (MySQL utf8_general_ci), dates are Gson strings. */
export type FieldType = 'text' | 'int' | 'bool' | 'date'

export interface NestedSpec {
  /** Table holding the joined rows. */
  table: string
  /** Column of the joined table that points at the parent's uuid. */
  parentColumn: string
  /** Rows stored with the parent (refs) also carry its row id in `parent_id`, the fast join. */
  linkedById: boolean
  fields: Readonly<Record<string, FieldType>>
}

export interface ResourceSpec {
  /** Name used by the API and CLI (`zsdr query volumeBackups ...`), as the ZStack client names its query resources. */
  name: ResourceName
  /** REST path under the context root (`/zstack`). */
  path: string
  /** The row table; its docs live in `<table>_doc`, keyed by the row id. */
  table: string
  fields: Readonly<Record<string, FieldType>>
  /** Cross-resource fields (`backupStorageRefs.backupStorageUuid`): joined rows, matched with EXISTS semantics. */
  nested: Readonly<Record<string, NestedSpec>>
  /** Nested lists that arrive inside the inventory and are stored in their own table. */
  ownedRefs?: string
}

/** The API's resource names are the source of truth (the renderer sees only the contract). */
export const RESOURCE_NAMES = cacheResources
export type ResourceName = CacheResource

const COMMON = {
  uuid: 'text',
  name: 'text',
  description: 'text',
  createDate: 'date',
  lastOpDate: 'date',
} as const satisfies Record<string, FieldType>

const REF_TIMES = { status: 'text', createDate: 'date', lastOpDate: 'date' } as const

const VOLUME_FIELDS = {
  ...COMMON,
  primaryStorageUuid: 'text',
  vmInstanceUuid: 'text',
  diskOfferingUuid: 'text',
  rootImageUuid: 'text',
  installPath: 'text',
  type: 'text',
  format: 'text',
  size: 'int',
  actualSize: 'int',
  deviceId: 'int',
  state: 'text',
  status: 'text',
  isShareable: 'bool',
} as const

export const RESOURCES: Readonly<Record<ResourceName, ResourceSpec>> = {
  volumeBackups: {
    name: 'volumeBackups',
    path: '/v1/volume-backups',
    table: 'cache_volume_backups',
    fields: {
      ...COMMON,
      volumeUuid: 'text',
      type: 'text',
      state: 'text',
      status: 'text',
      size: 'int',
      metadata: 'text',
      groupUuid: 'text',
    },
    ownedRefs: 'backupStorageRefs',
    nested: {
      backupStorageRefs: {
        table: 'cache_volume_backup_refs',
        parentColumn: 'volumeBackupUuid',
        linkedById: true,
        fields: { volumeBackupUuid: 'text', backupStorageUuid: 'text', installPath: 'text', ...REF_TIMES },
      },
    },
  },
  databaseBackups: {
    name: 'databaseBackups',
    path: '/v1/database-backups',
    table: 'cache_database_backups',
    fields: { ...COMMON, state: 'text', status: 'text', size: 'int', metadata: 'text' },
    ownedRefs: 'backupStorageRefs',
    nested: {
      backupStorageRefs: {
        table: 'cache_database_backup_refs',
        parentColumn: 'databaseBackupUuid',
        linkedById: true,
        fields: {
          databaseBackupUuid: 'text',
          backupStorageUuid: 'text',
          installPath: 'text',
          exportUrl: 'text',
          ...REF_TIMES,
        },
      },
    },
  },
  imageStoreBackupStorages: {
    name: 'imageStoreBackupStorages',
    path: '/v1/backup-storage/image-store',
    table: 'cache_backup_storages',
    fields: {
      ...COMMON,
      url: 'text',
      hostname: 'text',
      username: 'text',
      sshPort: 'int',
      type: 'text',
      state: 'text',
      status: 'text',
      totalCapacity: 'int',
      availableCapacity: 'int',
    },
    nested: {},
  },
  volumes: {
    name: 'volumes',
    path: '/v1/volumes',
    table: 'cache_volumes',
    fields: VOLUME_FIELDS,
    nested: {},
  },
  vmInstances: {
    name: 'vmInstances',
    path: '/v1/vm-instances',
    table: 'cache_vm_instances',
    fields: {
      ...COMMON,
      zoneUuid: 'text',
      clusterUuid: 'text',
      hostUuid: 'text',
      lastHostUuid: 'text',
      imageUuid: 'text',
      instanceOfferingUuid: 'text',
      rootVolumeUuid: 'text',
      platform: 'text',
      defaultL3NetworkUuid: 'text',
      type: 'text',
      hypervisorType: 'text',
      memorySize: 'int',
      cpuNum: 'int',
      cpuSpeed: 'int',
      allocatorStrategy: 'text',
      state: 'text',
    },
    // A VM's volumes are the cached volumes rows that point at it, as the server joins VolumeVO.
    nested: {
      allVolumes: {
        table: 'cache_volumes',
        parentColumn: 'vmInstanceUuid',
        linkedById: false,
        fields: {
          uuid: 'text',
          name: 'text',
          type: 'text',
          size: 'int',
          actualSize: 'int',
          deviceId: 'int',
          status: 'text',
          installPath: 'text',
        },
      },
    },
  },
  images: {
    name: 'images',
    path: '/v1/images',
    table: 'cache_images',
    fields: {
      ...COMMON,
      exportUrl: 'text',
      exportMd5Sum: 'text',
      state: 'text',
      status: 'text',
      size: 'int',
      actualSize: 'int',
      md5Sum: 'text',
      url: 'text',
      mediaType: 'text',
      guestOsType: 'text',
      type: 'text',
      platform: 'text',
      format: 'text',
      system: 'bool',
    },
    ownedRefs: 'backupStorageRefs',
    nested: {
      backupStorageRefs: {
        table: 'cache_image_refs',
        parentColumn: 'imageUuid',
        linkedById: true,
        fields: {
          imageUuid: 'text',
          backupStorageUuid: 'text',
          installPath: 'text',
          exportUrl: 'text',
          ...REF_TIMES,
        },
      },
    },
  },
  schedulerJobs: {
    name: 'schedulerJobs',
    path: '/v1/scheduler/jobs',
    table: 'cache_scheduler_jobs',
    fields: { ...COMMON, targetResourceUuid: 'text', state: 'text' },
    nested: {},
  },
  schedulerTriggers: {
    name: 'schedulerTriggers',
    path: '/v1/scheduler/triggers',
    table: 'cache_scheduler_triggers',
    fields: { ...COMMON, schedulerType: 'text', cron: 'text', schedulerInterval: 'int', repeatCount: 'int' },
    nested: {},
  },
}

export function isResourceName(name: string): name is ResourceName {
  return (RESOURCE_NAMES as readonly string[]).includes(name)
}

/** Volumes before VMs so that `allVolumes.x` joins land in the same snapshot; order is also the progress order. */
export const SYNC_ORDER: readonly ResourceName[] = [
  'imageStoreBackupStorages',
  'volumeBackups',
  'databaseBackups',
  'volumes',
  'vmInstances',
  'images',
  'schedulerJobs',
  'schedulerTriggers',
]
