import { describe, expect, it } from 'vitest'
import type { VolumeBackup } from '../../../src-renderer/src/lib/inventory-types.js'
import { type Column, sortedOrder } from '../../../src-renderer/src/lib/table.js'
import { groupByVm, storesHoldingAll } from '../../../src-renderer/src/lib/vm-groups.js'

describe('table sorting', () => {
  const rows = [{ n: 'b10' }, { n: 'b2' }, { n: null }, { n: 'a' }]
  const col: Column<{ n: string | null }> = { id: 'n', label: 'n', value: (r) => r.n }

  it('sorts naturally, nulls last in both directions, and keeps the input order without a column', () => {
    expect([...sortedOrder(rows, col, 'asc')]).toEqual([3, 1, 0, 2])
    expect([...sortedOrder(rows, col, 'desc')]).toEqual([0, 1, 3, 2])
    expect([...sortedOrder(rows, undefined, 'asc')]).toEqual([0, 1, 2, 3])
  })

  it('sorts 100,000 rows', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({ n: `backup-${(i * 7919) % 100_000}` }))
    const order = sortedOrder(many, col, 'asc')
    expect(many[order[0]!]!.n).toBe('backup-0')
    expect(many[order[99_999]!]!.n).toBe('backup-99999')
  })
})

describe('VM backup groups', () => {
  const ref = (s: string) => ({
    volumeBackupUuid: 'b',
    backupStorageUuid: s,
    installPath: `zstore://${s}`,
    status: 'Ready',
  })
  const backups: VolumeBackup[] = [
    {
      uuid: 'd1',
      volumeUuid: 'vol-d1',
      name: 'g-data',
      type: 'Data',
      groupUuid: 'g',
      size: 5,
      status: 'Ready',
      backupStorageRefs: [ref('A'), ref('B')],
    },
    {
      uuid: 'r1',
      volumeUuid: 'vol-r1',
      name: 'g-root',
      type: 'Root',
      groupUuid: 'g',
      size: 10,
      status: 'Creating',
      metadata: '{"vmInstanceUuid":"vm-1"}',
      backupStorageRefs: [ref('A')],
    },
    { uuid: 'x', volumeUuid: 'vol-x', name: 'single', type: 'Data', groupUuid: null, size: 1 },
  ]

  it('groups by groupUuid, root volume first, with total size, VM and the first non-Ready status', () => {
    const [g, ...rest] = groupByVm(backups)
    expect(rest).toEqual([])
    expect(g?.members.map((m) => m.uuid)).toEqual(['r1', 'd1'])
    expect(g).toMatchObject({
      groupUuid: 'g',
      name: 'g-root',
      size: 15,
      vmInstanceUuid: 'vm-1',
      status: 'Creating',
    })
  })

  it('offers only image stores that hold every member', () => {
    expect(storesHoldingAll(groupByVm(backups)[0]!.members)).toEqual(['A'])
  })
})
