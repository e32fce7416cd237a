import { wholeSeconds } from './gson.js'
import { SeededRandom } from './ids.js'
import type {
  DatabaseBackup,
  Image,
  ImageStoreBackupStorage,
  SimState,
  VmInstance,
  Volume,
  VolumeBackup,
} from './state.js'

export type SeedName = 'empty' | 'demo' | 'large'

const GiB = 1024 ** 3
/** Every seeded date is relative to the manual's example date, in the node's local time. */
export const SEED_EPOCH = new Date(2017, 10, 14, 22, 20, 57).getTime()
const DAY = 86_400_000

/**
 * Fills the state deterministically (same uuids on every run). `demo` is a small believable
 * cloud; `large` adds 100,000 volume backups and 10,000 database backups for benchmarks.
 */
export function seedState(state: SimState, seed: SeedName): void {
  if (seed === 'empty') return
  const rnd = new SeededRandom(20171114)
  seedDemo(state, rnd)
  if (seed === 'large') seedLarge(state, rnd)
}

function seedDemo(state: SimState, rnd: SeededRandom): void {
  const t0 = SEED_EPOCH - 90 * DAY
  const zone = state.zones.add({
    uuid: rnd.uuid(),
    name: 'zone-1',
    description: 'primary site',
    state: 'Enabled',
    type: 'zstack',
    createDate: t0,
    lastOpDate: t0,
  })
  const bs = (name: string, host: string, status: ImageStoreBackupStorage['status'], description: string) =>
    state.backupStorages.add({
      uuid: rnd.uuid(),
      name,
      description,
      url: '/zstack_bs',
      hostname: host,
      username: 'root',
      sshPort: 22,
      type: 'ImageStoreBackupStorage',
      state: 'Enabled',
      status,
      totalCapacity: 4096 * GiB,
      availableCapacity: 3072 * GiB,
      attachedZoneUuids: [zone.uuid],
      createDate: t0,
      lastOpDate: t0,
    })
  const local = bs('bs-local', '10.0.0.11', 'Connected', 'image store in the machine room')
  const dr = bs('bs-dr', '10.0.0.12', 'Connected', 'disaster recovery image store, remote site')
  bs('bs-offsite', '10.0.0.13', 'Connected', 'offsite archive')
  bs('bs-broken', '10.0.0.14', 'Disconnected', 'image store that lost its network')

  const image = addImage(state, rnd, 'centos7-template', 'RootVolumeTemplate', local.uuid, t0)
  addImage(state, rnd, 'centos7-iso', 'ISO', local.uuid, t0)

  const web = addVm(state, rnd, 'vm-web', 'Running', [40, 100], zone.uuid, image.uuid, t0)
  const db = addVm(state, rnd, 'vm-db', 'Stopped', [40, 200, 500], zone.uuid, image.uuid, t0)
  addVm(state, rnd, 'vm-app', 'Running', [40], zone.uuid, image.uuid, t0)
  addVolume(state, rnd, 'data-detached', 'Data', 50, null, null, t0)

  // A VM backup of vm-db on both image stores, a single backup of vm-web's data volume, a backup without description.
  const group = rnd.uuid()
  for (const v of state.vmVolumes(db.uuid)) {
    addVolumeBackup(
      state,
      rnd,
      v,
      `vm-db-backup-${v.type.toLowerCase()}`,
      group,
      [local.uuid, dr.uuid],
      t0 + DAY,
    )
  }
  const webData = state.vmVolumes(web.uuid).find((v) => v.type === 'Data')!
  addVolumeBackup(state, rnd, webData, 'web-data-daily', null, [local.uuid], t0 + 2 * DAY)
  const webRoot = state.vmVolumes(web.uuid).find((v) => v.type === 'Root')!
  const plain = addVolumeBackup(state, rnd, webRoot, 'web-root-weekly', null, [dr.uuid], t0 + 3 * DAY)
  plain.description = null

  addDatabaseBackup(state, rnd, 'db-backup-nightly-1', [local.uuid, dr.uuid], t0 + DAY)
  addDatabaseBackup(state, rnd, 'db-backup-nightly-2', [local.uuid], t0 + 2 * DAY)
  addDatabaseBackup(state, rnd, 'db-backup-before-upgrade', [dr.uuid], t0 + 3 * DAY)
}

function seedLarge(state: SimState, rnd: SeededRandom): void {
  const t0 = SEED_EPOCH - 365 * DAY
  const zone = state.zones.rows[0]!
  const image = state.images.rows[0]!
  const stores = state.backupStorages.rows.filter((b) => b.status === 'Connected').map((b) => b.uuid)
  const vms: VmInstance[] = []
  for (let i = 0; i < 2000; i++) {
    vms.push(
      addVm(
        state,
        rnd,
        `bench-vm-${i}`,
        i % 3 === 0 ? 'Stopped' : 'Running',
        [40, 100],
        zone.uuid,
        image.uuid,
        t0,
      ),
    )
  }
  // 100,000 volume backups: 30,000 VM backups of two volumes each, then 40,000 single volume backups.
  let made = 0
  for (let g = 0; made < 60_000; g++) {
    const vm = vms[g % vms.length]!
    const group = rnd.uuid()
    const at = wholeSeconds(t0 + (g / 30_000) * 360 * DAY)
    const refs = [stores[g % stores.length]!, ...(g % 4 === 0 ? [stores[(g + 1) % stores.length]!] : [])]
    for (const v of state.vmVolumes(vm.uuid)) {
      addVolumeBackup(state, rnd, v, `${vm.name}-backup-${g}-${v.type.toLowerCase()}`, group, refs, at)
      made++
    }
  }
  for (let i = 0; made < 100_000; i++, made++) {
    const vm = vms[i % vms.length]!
    const v = state.vmVolumes(vm.uuid)[i % 2]!
    const at = wholeSeconds(t0 + (i / 40_000) * 360 * DAY)
    addVolumeBackup(state, rnd, v, `${vm.name}-single-${i}`, null, [stores[i % stores.length]!], at)
  }
  for (let i = 0; i < 10_000; i++) {
    const refs = [stores[i % stores.length]!, ...(i % 5 === 0 ? [stores[(i + 1) % stores.length]!] : [])]
    addDatabaseBackup(state, rnd, `db-backup-${i}`, refs, wholeSeconds(t0 + (i / 10_000) * 360 * DAY))
  }
}

function addImage(
  state: SimState,
  rnd: SeededRandom,
  name: string,
  mediaType: Image['mediaType'],
  bsUuid: string,
  at: number,
): Image {
  const uuid = rnd.uuid()
  return state.images.add({
    uuid,
    name,
    description: null,
    exportUrl: null,
    exportMd5Sum: null,
    state: 'Enabled',
    status: 'Ready',
    size: 8 * GiB,
    actualSize: 1_073_741_824 + rnd.int(0, 1_000_000_000),
    md5Sum: null,
    url: `http://mirror.example.com/${name}.qcow2`,
    mediaType,
    guestOsType: 'CentOS',
    type: 'zstack',
    platform: 'Linux',
    format: mediaType === 'ISO' ? 'iso' : 'qcow2',
    system: false,
    createDate: at,
    lastOpDate: at,
    backupStorageRefs: [imageRef(uuid, bsUuid, at)],
  })
}

export function imageRef(
  imageUuid: string,
  backupStorageUuid: string,
  at: number,
): Image['backupStorageRefs'][0] {
  return {
    imageUuid,
    backupStorageUuid,
    installPath: `zstore://zstack/${imageUuid}`,
    exportUrl: null,
    exportMd5Sum: null,
    status: 'Ready',
    createDate: at,
    lastOpDate: at,
  }
}

function addVm(
  state: SimState,
  rnd: SeededRandom,
  name: string,
  vmState: VmInstance['state'],
  diskGiB: number[],
  zoneUuid: string,
  imageUuid: string,
  at: number,
): VmInstance {
  const uuid = rnd.uuid()
  const host = rnd.uuid()
  const volumes = diskGiB.map((g, i) =>
    addVolume(
      state,
      rnd,
      i === 0 ? `ROOT-for-${name}` : `DATA-${i}-for-${name}`,
      i === 0 ? 'Root' : 'Data',
      g,
      uuid,
      i === 0 ? imageUuid : null,
      at,
      i,
    ),
  )
  return state.vms.add({
    uuid,
    name,
    description: null,
    zoneUuid,
    clusterUuid: rnd.uuid(),
    hostUuid: vmState === 'Running' ? host : null,
    lastHostUuid: host,
    imageUuid,
    instanceOfferingUuid: rnd.uuid(),
    rootVolumeUuid: volumes[0]!.uuid,
    platform: 'Linux',
    defaultL3NetworkUuid: rnd.uuid(),
    type: 'UserVm',
    hypervisorType: 'KVM',
    memorySize: 4 * GiB,
    cpuNum: 2,
    cpuSpeed: 0,
    allocatorStrategy: 'LastHostPreferredAllocatorStrategy',
    state: vmState,
    createDate: at,
    lastOpDate: at,
  })
}

function addVolume(
  state: SimState,
  rnd: SeededRandom,
  name: string,
  type: Volume['type'],
  sizeGiB: number,
  vmUuid: string | null,
  rootImageUuid: string | null,
  at: number,
  deviceId: number | null = null,
): Volume {
  const uuid = rnd.uuid()
  return state.volumes.add({
    uuid,
    name,
    description: null,
    primaryStorageUuid: '2a3c3f1b1a9d4f4d8d7e3b8b4c2a1e01',
    vmInstanceUuid: vmUuid,
    diskOfferingUuid: type === 'Data' ? '5c1f2d1d8a3b4e0f9a7c6b5d4e3f2a10' : null,
    rootImageUuid,
    installPath: `/zstack_ps/rootVolumes/acct-36c27e8ff05c4780bf6d2fa65700f22e/vol-${uuid}/${uuid}.qcow2`,
    type,
    format: 'qcow2',
    size: sizeGiB * GiB,
    actualSize: Math.floor(sizeGiB * GiB * 0.3),
    deviceId,
    state: 'Enabled',
    status: 'Ready',
    isShareable: false,
    createDate: at,
    lastOpDate: at,
  })
}

export function addVolumeBackup(
  state: SimState,
  rnd: { uuid(): string },
  volume: Volume,
  name: string,
  groupUuid: string | null,
  bsUuids: readonly string[],
  at: number,
): VolumeBackup {
  const uuid = rnd.uuid()
  const shared = perVolume(volume)
  return state.volumeBackups.add({
    uuid,
    volumeUuid: volume.uuid,
    name,
    description: shared.description,
    type: volume.type,
    state: 'Enabled',
    status: 'Ready',
    size: volume.actualSize,
    metadata: shared.metadata,
    groupUuid,
    createDate: at,
    lastOpDate: at,
    backupStorageRefs: bsUuids.map((b) => ({
      volumeBackupUuid: uuid,
      backupStorageUuid: b,
      installPath: `zstore://volumebackup/${uuid}`,
      status: 'Ready' as const,
      createDate: at,
      lastOpDate: at,
    })),
  })
}

const sharedStrings = new WeakMap<Volume, { description: string; metadata: string }>()

/** Strings every backup of one volume repeats, built once (the large seed makes 100,000 backups). */
function perVolume(volume: Volume): { description: string; metadata: string } {
  let s = sharedStrings.get(volume)
  if (!s) {
    s = {
      description: `backup of ${volume.name}`,
      metadata: JSON.stringify({
        volumeName: volume.name,
        vmInstanceUuid: volume.vmInstanceUuid,
        format: volume.format,
      }),
    }
    sharedStrings.set(volume, s)
  }
  return s
}

export function addDatabaseBackup(
  state: SimState,
  rnd: { uuid(): string },
  name: string,
  bsUuids: readonly string[],
  at: number,
): DatabaseBackup {
  const uuid = rnd.uuid()
  const imageId = uuid.slice(0, 32)
  return state.databaseBackups.add({
    uuid,
    name,
    description: null,
    state: 'Enabled',
    status: 'Ready',
    size: 52_428_800 + (Number.parseInt(uuid.slice(0, 6), 16) % 10_000_000),
    metadata: JSON.stringify({ version: '3.0.0' }),
    createDate: at,
    lastOpDate: at,
    backupStorageRefs: bsUuids.map((b) => ({
      databaseBackupUuid: uuid,
      backupStorageUuid: b,
      installPath: `zstore://zsbak/${imageId}`,
      exportUrl: null,
      status: 'Ready' as const,
      createDate: at,
      lastOpDate: at,
    })),
  })
}
