import { gsonDate } from './gson.js'
import { SimScheduler } from './scheduler.js'

/**
 * The simulated management node's resources. Records are stored in inventory shape with dates as
 * epoch milliseconds (formatted Gson-style on the way out) plus tags kept beside them, as the
 * real node keeps SystemTagVO/UserTagVO rows apart from the resource tables.
 */
export type Ms = number

export interface Zone {
  uuid: string
  name: string
  description: string | null
  state: 'Enabled' | 'Disabled'
  type: 'zstack'
  createDate: Ms
  lastOpDate: Ms
}

export interface ImageStoreBackupStorage {
  uuid: string
  name: string
  description: string | null
  url: string
  hostname: string
  username: string
  sshPort: number
  type: 'ImageStoreBackupStorage'
  state: 'Enabled' | 'Disabled'
  status: 'Connected' | 'Disconnected' | 'Connecting'
  totalCapacity: number
  availableCapacity: number
  attachedZoneUuids: string[]
  createDate: Ms
  lastOpDate: Ms
}

export interface Volume {
  uuid: string
  name: string
  description: string | null
  primaryStorageUuid: string
  vmInstanceUuid: string | null
  diskOfferingUuid: string | null
  rootImageUuid: string | null
  installPath: string
  type: 'Root' | 'Data'
  format: 'qcow2'
  size: number
  actualSize: number
  deviceId: number | null
  state: 'Enabled' | 'Disabled'
  status: 'Ready' | 'Creating' | 'NotInstantiated'
  isShareable: boolean
  createDate: Ms
  lastOpDate: Ms
}

export interface VmInstance {
  uuid: string
  name: string
  description: string | null
  zoneUuid: string
  clusterUuid: string
  hostUuid: string | null
  lastHostUuid: string
  imageUuid: string
  instanceOfferingUuid: string
  rootVolumeUuid: string
  platform: 'Linux' | 'Windows'
  defaultL3NetworkUuid: string
  type: 'UserVm'
  hypervisorType: 'KVM'
  memorySize: number
  cpuNum: number
  cpuSpeed: number
  allocatorStrategy: string
  state: 'Running' | 'Stopped'
  createDate: Ms
  lastOpDate: Ms
}

export interface VolumeBackupRef {
  volumeBackupUuid: string
  backupStorageUuid: string
  installPath: string
  status: 'Ready' | 'Creating'
  createDate: Ms
  lastOpDate: Ms
}

export interface VolumeBackup {
  uuid: string
  volumeUuid: string
  name: string
  description: string | null
  type: 'Root' | 'Data'
  state: 'Enabled' | 'Disabled'
  status: 'Creating' | 'Ready'
  size: number
  metadata: string | null
  groupUuid: string | null
  createDate: Ms
  lastOpDate: Ms
  backupStorageRefs: VolumeBackupRef[]
}

export interface DatabaseBackupRef {
  databaseBackupUuid: string
  backupStorageUuid: string
  installPath: string
  exportUrl: string | null
  status: 'Ready' | 'Creating'
  createDate: Ms
  lastOpDate: Ms
}

export interface DatabaseBackup {
  uuid: string
  name: string
  description: string | null
  state: 'Enabled' | 'Disabled'
  status: 'Creating' | 'Ready'
  size: number
  metadata: string | null
  createDate: Ms
  lastOpDate: Ms
  backupStorageRefs: DatabaseBackupRef[]
}

export interface ImageRef {
  imageUuid: string
  backupStorageUuid: string
  installPath: string
  exportUrl: string | null
  exportMd5Sum: string | null
  status: 'Ready' | 'Downloading'
  createDate: Ms
  lastOpDate: Ms
}

export interface Image {
  uuid: string
  name: string
  description: string | null
  exportUrl: string | null
  exportMd5Sum: string | null
  state: 'Enabled' | 'Disabled'
  status: 'Ready' | 'Creating'
  size: number
  actualSize: number
  md5Sum: string | null
  url: string | null
  mediaType: 'RootVolumeTemplate' | 'DataVolumeTemplate' | 'ISO'
  guestOsType: string | null
  type: 'zstack'
  platform: 'Linux' | 'Windows' | 'Other' | 'Paravirtualization' | 'WindowsVirtio'
  format: 'qcow2' | 'raw' | 'iso'
  system: boolean
  createDate: Ms
  lastOpDate: Ms
  backupStorageRefs: ImageRef[]
}

export type AnyRecord = { uuid: string } & Record<string, unknown>

/** One resource table with a uuid index and lazily built secondary indexes. */
export class Table<T extends { uuid: string }> {
  readonly rows: T[] = []
  readonly byUuid = new Map<string, T>()
  /** Changes on add/remove only: indexed fields (uuids, foreign keys) never change in place. */
  private rowsVersion = 0
  private readonly indexes = new Map<string, { version: number; map: Map<unknown, T[]> }>()

  constructor(
    readonly resourceType: string,
    private readonly state: SimState,
  ) {}

  add(row: T): T {
    this.rows.push(row)
    this.byUuid.set(row.uuid, row)
    this.rowsVersion++
    this.state.bump()
    return row
  }

  remove(uuid: string): void {
    const row = this.byUuid.get(uuid)
    if (!row) return
    this.byUuid.delete(uuid)
    this.rows.splice(this.rows.indexOf(row), 1)
    this.rowsVersion++
    this.state.bump()
  }

  get(uuid: string): T | undefined {
    return this.byUuid.get(uuid)
  }

  /** Rows whose `field` equals `value`, via an index rebuilt only after the state changed. */
  where(field: keyof T & string, value: unknown): T[] {
    let index = this.indexes.get(field)
    if (!index || index.version !== this.rowsVersion) {
      const map = new Map<unknown, T[]>()
      for (const row of this.rows) {
        const key = row[field]
        const list = map.get(key)
        if (list) list.push(row)
        else map.set(key, [row])
      }
      index = { version: this.rowsVersion, map }
      this.indexes.set(field, index)
    }
    return index.map.get(value) ?? []
  }
}

export interface Tags {
  system: string[]
  user: string[]
}

export class SimState {
  /** Bumped on every change; query caches and indexes are keyed on it. */
  version = 0
  readonly zones = new Table<Zone>('ZoneVO', this)
  readonly backupStorages = new Table<ImageStoreBackupStorage>('ImageStoreBackupStorageVO', this)
  readonly volumes = new Table<Volume>('VolumeVO', this)
  readonly vms = new Table<VmInstance>('VmInstanceVO', this)
  readonly volumeBackups = new Table<VolumeBackup>('VolumeBackupVO', this)
  readonly databaseBackups = new Table<DatabaseBackup>('DatabaseBackupVO', this)
  readonly images = new Table<Image>('ImageVO', this)
  readonly tags = new Map<string, Tags>()
  readonly scheduler = new SimScheduler(this)
  /** Database restores the node has been asked to run (RecoverDatabaseFromBackup), for tests to inspect. */
  readonly databaseRecoveries: { backupUuid: string | null; installPath: string; startedAt: Ms }[] = []

  bump(): void {
    this.version++
  }

  tagsOf(uuid: string): Tags {
    return this.tags.get(uuid) ?? { system: [], user: [] }
  }

  addTags(uuid: string, system: readonly string[], user: readonly string[]): void {
    if (system.length === 0 && user.length === 0) return
    const t = this.tags.get(uuid) ?? { system: [], user: [] }
    t.system.push(...system)
    t.user.push(...user)
    this.tags.set(uuid, t)
    this.bump()
  }

  /** A VM's volumes, root first then data volumes by deviceId, as ZStack lists `allVolumes`. */
  vmVolumes(vmUuid: string): Volume[] {
    return [...this.volumes.where('vmInstanceUuid', vmUuid)].sort(
      (a, b) =>
        (a.type === 'Root' ? -1 : 0) - (b.type === 'Root' ? -1 : 0) || (a.deviceId ?? 0) - (b.deviceId ?? 0),
    )
  }
}

const DATE_FIELDS = new Set(['createDate', 'lastOpDate', 'expiredDate'])

/** The JSON form of a record: dates as Gson strings, nested arrays of records converted too. */
export function toInventory(row: object): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(row)) {
    if (DATE_FIELDS.has(key) && typeof value === 'number') out[key] = gsonDate(value)
    else if (Array.isArray(value))
      out[key] = value.map((v) => (v && typeof v === 'object' ? toInventory(v) : v))
    else out[key] = value
  }
  return out
}

export function isDateField(field: string): boolean {
  return DATE_FIELDS.has(field)
}
