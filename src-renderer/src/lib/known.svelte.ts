import type { BackupStorage, VmInstance, Volume } from './inventory.js'
import { loadList } from './inventory.js'

/**
 * What the console knows about a node's image stores, volumes and VMs (from the node, or the
 * offline cache when it is down): names to show instead of UUIDs, and the facts checked before an
 * action (a VM's state, a store's status and free space).
 */
export class Known {
  stores = $state.raw<BackupStorage[]>([])
  vms = $state.raw<VmInstance[]>([])
  private volumes = $state.raw(new Map<string, Volume>())
  private vmByUuid = $state.raw(new Map<string, VmInstance>())

  async load(connectionId: string, what: { volumes?: boolean } = {}): Promise<void> {
    const [stores, vms, volumes] = await Promise.all([
      loadList<BackupStorage>(connectionId, 'imageStoreBackupStorages'),
      loadList<VmInstance>(connectionId, 'vmInstances'),
      what.volumes ? loadList<Volume>(connectionId, 'volumes') : Promise.resolve([]),
    ])
    this.stores = stores
    this.vms = vms
    this.vmByUuid = new Map(vms.map((v) => [v.uuid, v]))
    this.volumes = new Map(volumes.map((v) => [v.uuid, v]))
  }

  vmName(uuid: string | null | undefined): string | null {
    return uuid ? (this.vmByUuid.get(uuid)?.name ?? null) : null
  }

  /** Every volume loaded with `{ volumes: true }`. */
  get volumeList(): Volume[] {
    return [...this.volumes.values()]
  }

  volumeName(uuid: string | null | undefined): string | null {
    return uuid ? (this.volumes.get(uuid)?.name ?? null) : null
  }

  /** The VM a revert would overwrite, with its state; null when there is none or it is unknown. */
  vm(uuid: string | null | undefined): { name: string; state: string | null } | null {
    const vm = uuid ? this.vmByUuid.get(uuid) : undefined
    return vm ? { name: vm.name ?? vm.uuid, state: vm.state ?? null } : null
  }

  vmOfVolume(volumeUuid: string | null | undefined) {
    return this.vm(volumeUuid ? this.volumes.get(volumeUuid)?.vmInstanceUuid : null)
  }
}
