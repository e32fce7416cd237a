import { describe, expect, it } from 'vitest'
import { drChanges } from '../../../src-main/zstack/dr-changes.js'

/** Which cached records each successful DR call makes the offline cache re-read. */
const U = 'a'.repeat(32)
const V = 'b'.repeat(32)
const G = 'c'.repeat(32)

describe('records changed by a DR call', () => {
  it('creates name what the reply made; deletes and copies name what they were given', () => {
    expect(drChanges('CreateVolumeBackup', {}, { inventory: { uuid: U } })).toEqual([
      { resource: 'volumeBackups', field: 'uuid', values: [U] },
    ])
    expect(drChanges('CreateVmBackup', {}, { inventories: [{ uuid: U }, { uuid: V }] })).toEqual([
      { resource: 'volumeBackups', field: 'uuid', values: [U, V] },
    ])
    expect(drChanges('DeleteVmBackup', { groupUuid: G }, {})).toEqual([
      { resource: 'volumeBackups', field: 'groupUuid', values: [G] },
    ])
    expect(drChanges('ExportDatabaseBackupFromBackupStorage', { databaseBackupUuid: U }, {})).toEqual([
      { resource: 'databaseBackups', field: 'uuid', values: [U] },
    ])
    expect(drChanges('CreateRootVolumeTemplateFromVolumeBackup', {}, { inventory: { uuid: V } })).toEqual([
      { resource: 'images', field: 'uuid', values: [V] },
    ])
  })

  it('reads nothing for calls that change no cached record, or for a reply without a valid uuid', () => {
    expect(drChanges('GetDatabaseBackupFromImageStore', {}, { backups: [] })).toEqual([])
    expect(drChanges('RecoverDatabaseFromBackup', { uuid: U }, { logListenPort: 1 })).toEqual([])
    expect(drChanges('CreateVolumeBackup', {}, { inventory: { uuid: "x' OR 1=1" } })).toEqual([])
    expect(drChanges('CreateVolumeBackup', {}, null)).toEqual([])
  })
})
