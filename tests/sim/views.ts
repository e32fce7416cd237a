import type { QueryView } from './query-engine.js'
import { type SimState, type Table, toInventory } from './state.js'

/** The queryable resources: their fields, their joined lists, and their inventory JSON. */
export function queryViews(state: SimState) {
  const withRefs = <T extends { uuid: string; backupStorageRefs: object[] }>(
    table: Table<T>,
    fields: readonly string[],
    refFields: readonly string[],
  ): QueryView<T> => ({
    table,
    fields,
    nested: { backupStorageRefs: { fields: refFields, rows: (r) => r.backupStorageRefs } },
    inventory: toInventory,
  })
  const plain = <T extends { uuid: string }>(table: Table<T>, fields: readonly string[]): QueryView<T> => ({
    table,
    fields,
    nested: {},
    inventory: toInventory,
  })
  const common = ['uuid', 'name', 'description', 'createDate', 'lastOpDate'] as const
  return {
    zones: plain(state.zones, [...common, 'state', 'type']),
    backupStorages: plain(state.backupStorages, [
      ...common,
      'url',
      'hostname',
      'username',
      'sshPort',
      'type',
      'state',
      'status',
      'totalCapacity',
      'availableCapacity',
    ]),
    volumes: plain(state.volumes, [
      ...common,
      'primaryStorageUuid',
      'vmInstanceUuid',
      'diskOfferingUuid',
      'rootImageUuid',
      'installPath',
      'type',
      'format',
      'size',
      'actualSize',
      'deviceId',
      'state',
      'status',
      'isShareable',
    ]),
    vms: {
      table: state.vms,
      fields: [
        ...common,
        'zoneUuid',
        'clusterUuid',
        'hostUuid',
        'lastHostUuid',
        'imageUuid',
        'instanceOfferingUuid',
        'rootVolumeUuid',
        'platform',
        'defaultL3NetworkUuid',
        'type',
        'hypervisorType',
        'memorySize',
        'cpuNum',
        'cpuSpeed',
        'allocatorStrategy',
        'state',
      ],
      nested: {
        allVolumes: {
          fields: ['uuid', 'name', 'type', 'size', 'actualSize', 'deviceId', 'status', 'installPath'],
          rows: (vm) => state.vmVolumes(vm.uuid),
        },
      },
      inventory: (vm) => ({
        ...toInventory(vm),
        allVolumes: state.vmVolumes(vm.uuid).map(toInventory),
        vmNics: [],
      }),
    } satisfies QueryView<(typeof state.vms.rows)[0]>,
    images: withRefs(
      state.images,
      [
        ...common,
        'exportUrl',
        'exportMd5Sum',
        'state',
        'status',
        'size',
        'actualSize',
        'md5Sum',
        'url',
        'mediaType',
        'guestOsType',
        'type',
        'platform',
        'format',
        'system',
      ],
      ['imageUuid', 'backupStorageUuid', 'installPath', 'exportUrl', 'status', 'createDate', 'lastOpDate'],
    ),
    volumeBackups: withRefs(
      state.volumeBackups,
      [...common, 'volumeUuid', 'type', 'state', 'status', 'size', 'metadata', 'groupUuid'],
      ['volumeBackupUuid', 'backupStorageUuid', 'installPath', 'status', 'createDate', 'lastOpDate'],
    ),
    databaseBackups: withRefs(
      state.databaseBackups,
      [...common, 'state', 'status', 'size', 'metadata'],
      [
        'databaseBackupUuid',
        'backupStorageUuid',
        'installPath',
        'exportUrl',
        'status',
        'createDate',
        'lastOpDate',
      ],
    ),
  }
}

export type QueryViews = ReturnType<typeof queryViews>
