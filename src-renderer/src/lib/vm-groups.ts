import type { VolumeBackup } from './inventory-types.js'

/** A VM backup: the volume backups that share a groupUuid (there is no VM-backup resource). */
export interface VmBackupGroup {
  groupUuid: string
  name: string
  vmInstanceUuid: string | null
  members: VolumeBackup[]
  size: number
  createDate: string | undefined
  /** `Ready` when every member is; otherwise the first other status. */
  status: string
}

/** `metadata` is a JSON string `{volumeName, vmInstanceUuid, format}`; anything else gives nulls. */
export function vmOfBackup(b: VolumeBackup): string | null {
  if (!b.metadata) return null
  try {
    const m = JSON.parse(b.metadata) as { vmInstanceUuid?: unknown }
    return typeof m.vmInstanceUuid === 'string' ? m.vmInstanceUuid : null
  } catch {
    return null
  }
}

export function groupByVm(backups: readonly VolumeBackup[]): VmBackupGroup[] {
  const groups = new Map<string, VolumeBackup[]>()
  for (const b of backups) {
    if (!b.groupUuid) continue
    const list = groups.get(b.groupUuid)
    if (list) list.push(b)
    else groups.set(b.groupUuid, [b])
  }
  return [...groups.entries()].map(([groupUuid, members]) => {
    // Root volume first, then data volumes: the order a revert restores them in.
    members.sort((a, b) => Number(a.type !== 'Root') - Number(b.type !== 'Root'))
    const root = members[0]!
    return {
      groupUuid,
      name: root.name ?? groupUuid,
      vmInstanceUuid: members.map(vmOfBackup).find((v) => v !== null) ?? null,
      members,
      size: members.reduce((sum, m) => sum + (m.size ?? 0), 0),
      createDate: root.createDate,
      status: members.find((m) => m.status !== 'Ready')?.status ?? 'Ready',
    }
  })
}

/** Image stores that hold every member (only those can serve a whole-VM revert or sync). */
export function storesHoldingAll(members: readonly VolumeBackup[]): string[] {
  const [first, ...rest] = members
  if (!first) return []
  return (first.backupStorageRefs ?? [])
    .map((r) => r.backupStorageUuid)
    .filter((s) => rest.every((m) => (m.backupStorageRefs ?? []).some((r) => r.backupStorageUuid === s)))
}
