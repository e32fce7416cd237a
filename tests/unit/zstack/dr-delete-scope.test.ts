import { describe, expect, it } from 'vitest'
import type { ZStackClient } from '../../../src-main/zstack/client.js'
import { callDr } from '../../../src-main/zstack/dr-api.js'

/**
 * The node reads a delete without `backupStorageUuids` as "delete every copy". The client must
 * refuse an empty or missing list unless the caller says `allBackupStorages: true` on purpose.
 */
const A = 'a'.repeat(32)
const B = 'b'.repeat(32)
const U = 'c'.repeat(32)

function recordingClient(): { client: ZStackClient; paths: string[] } {
  const paths: string[] = []
  const client = {
    call: async (c: { path: string }) => {
      paths.push(c.path)
      return {}
    },
  } as unknown as ZStackClient
  return { client, paths }
}

describe('deletes name their image stores', () => {
  for (const [api, id] of [
    ['DeleteVolumeBackup', { uuid: U }],
    ['DeleteVmBackup', { groupUuid: U }],
    ['DeleteDatabaseBackup', { uuid: U }],
  ] as const) {
    it(`${api}: an empty or missing list is refused before anything is sent`, async () => {
      const { client, paths } = recordingClient()
      for (const params of [{ ...id }, { ...id, backupStorageUuids: [] }]) {
        await expect(callDr(client, api, params as never)).rejects.toMatchObject({
          code: 'zstack.delete_scope',
          text: { en: expect.stringContaining('no image store chosen') },
        })
      }
      await expect(
        callDr(client, api, { ...id, backupStorageUuids: [A], allBackupStorages: true } as never),
      ).rejects.toMatchObject({ code: 'zstack.delete_scope' })
      expect(paths).toEqual([])
    })

    it(`${api}: named stores are sent; "all" is sent only when asked for`, async () => {
      const { client, paths } = recordingClient()
      await callDr(client, api, { ...id, backupStorageUuids: [A, B] } as never)
      await callDr(client, api, { ...id, allBackupStorages: true } as never)
      expect(paths[0]).toContain(`backupStorageUuids=${A}&backupStorageUuids=${B}`)
      // The flag is the client's own: the node gets no list, which it reads as every store.
      expect(paths[1]).not.toContain('backupStorageUuids')
      expect(paths[1]).not.toContain('allBackupStorages')
    })
  }
})
