import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  rawLogin,
  SIM_PASSWORD_DIGEST,
  type Simulator,
  seeded,
  startTestSimulator,
} from '../../harness/simulator.js'

/**
 * Replays every request example of the manual (zstack-3.0.0-dr-api-zh.txt §3 and §4) against the
 * simulator: the manual's method, path and body, with its example uuids swapped for seeded
 * resources (`{NAME}` placeholders) and its keys corrected where the real server differs
 * (spec digest, last table). Checks the status and the shape of the reply.
 */
type Shape = 'empty' | string[]

interface Example {
  section: string
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: string
  body?: unknown
  /** What the digest says the real server answers (after polling for async calls). */
  expect: Shape
  /** Correction applied to the manual's example, if any. */
  adjusted?: string
}

const EXAMPLES: Example[] = [
  {
    section: '4.1',
    method: 'POST',
    path: '/v1/volumes/{VM_WEB_ROOT}/volume-backups',
    body: {
      params: { backupStorageUuid: '{BS_LOCAL}', name: 'backup-1', description: 'a critical volume backup' },
    },
    expect: ['inventory'],
  },
  {
    section: '4.2',
    method: 'DELETE',
    path: '/v1/volume-backups/{VB_WEB_DATA}?backupStorageUuids={BS_LOCAL}&deleteMode=Permissive',
    expect: 'empty',
  },
  { section: '4.3', method: 'GET', path: '/v1/volume-backups?q=uuid={VB_WEB_DATA}', expect: ['inventories'] },
  { section: '4.3', method: 'GET', path: '/v1/volume-backups/{VB_WEB_DATA}', expect: ['inventories'] },
  {
    section: '4.4',
    method: 'POST',
    path: '/v1/images/data-volume-templates/from/volume-template/{VB_WEB_DATA}',
    body: {
      params: {
        backupStorageUuid: '{BS_LOCAL}',
        name: 'template',
        description: 'data template from volume backup',
        system: false,
      },
    },
    expect: ['inventory'],
  },
  {
    section: '4.5',
    method: 'POST',
    path: '/v1/images/root-volume-templates/from/volume-template/{VB_DB_ROOT}',
    body: {
      params: {
        backupStorageUuid: '{BS_LOCAL}',
        name: 'template',
        description: 'root template from volume backup',
        system: false,
      },
    },
    expect: ['inventory'],
  },
  {
    section: '4.6',
    method: 'PUT',
    path: '/v1/volume-backups/{VB_DB_ROOT}/actions',
    body: { revertVolumeFromVolumeBackup: { backupStorageUuid: '{BS_LOCAL}' } },
    expect: 'empty',
    adjusted: 'backupStrogeUuid → backupStorageUuid',
  },
  {
    section: '4.7',
    method: 'PUT',
    path: '/v1/volume-backups/{VB_WEB_ROOT}/actions',
    body: {
      recoverBackupFromImageStoreBackupStorage: {
        srcBackupStorageUuid: '{BS_DR}',
        dstBackupStorageUuid: '{BS_LOCAL}',
      },
    },
    expect: ['inventory'],
  },
  {
    section: '4.8',
    method: 'PUT',
    path: '/v1/volume-backups/{VB_WEB_DATA}/actions',
    body: {
      syncBackupFromImageStoreBackupStorage: {
        srcBackupStorageUuid: '{BS_LOCAL}',
        dstBackupStorageUuid: '{BS_DR}',
      },
    },
    expect: ['inventory'],
  },
  {
    section: '4.9',
    method: 'POST',
    path: '/v1/volumes/{VM_WEB_ROOT}/vm-backups',
    body: {
      params: { backupStorageUuid: '{BS_LOCAL}', name: 'backup-1', description: 'a critical volume backup' },
    },
    expect: ['inventories'],
  },
  {
    section: '4.10',
    method: 'DELETE',
    path: '/v1/vm-backups/{GROUP}?backupStorageUuids={BS_DR}&deleteMode=Permissive',
    expect: 'empty',
    adjusted: 'backupStorageUids → backupStorageUuids',
  },
  {
    section: '4.11',
    method: 'PUT',
    path: '/v1/vm-backups/{GROUP}/actions',
    body: { revertVmFromVmBackup: { backupStorageUuid: '{BS_LOCAL}' } },
    expect: 'empty',
  },
  {
    section: '4.12',
    method: 'PUT',
    path: '/v1/vm-backups/{GROUP}/actions',
    body: {
      recoverVmBackupFromImageStoreBackupStorage: {
        srcBackupStorageUuid: '{BS_DR}',
        dstBackupStorageUuid: '{BS_OFFSITE}',
      },
    },
    expect: ['inventories'],
  },
  {
    section: '4.13',
    method: 'PUT',
    path: '/v1/vm-backups/{GROUP}/actions',
    body: {
      syncVmBackupFromImageStoreBackupStorage: {
        srcBackupStorageUuid: '{BS_LOCAL}',
        dstBackupStorageUuid: '{BS_OFFSITE}',
      },
    },
    expect: ['inventories'],
  },
  {
    section: '4.14',
    method: 'POST',
    path: '/v1/database-backups',
    body: { params: { name: 'zstack-db', backupStorageUuid: '{BS_LOCAL}' } },
    expect: ['inventory'],
  },
  {
    section: '4.15',
    method: 'DELETE',
    path: '/v1/database-backups/{DB_1}?backupStorageUuids={BS_LOCAL}',
    expect: 'empty',
  },
  { section: '4.16', method: 'GET', path: '/v1/database-backups?q=uuid={DB_1}', expect: ['inventories'] },
  { section: '4.16', method: 'GET', path: '/v1/database-backups/{DB_1}', expect: ['inventories'] },
  {
    section: '4.17',
    method: 'PUT',
    path: '/v1/database-backups/actions',
    body: {
      recoverDatabaseFromBackup: {
        backupStorageUrl: 'ssh://root:password@localhost:22/zstack_bs',
        backupInstallPath: 'zstore://zsbak/0ed599ec519249489475112a058bb93a',
        mysqlRootPassword: 'password',
      },
    },
    expect: ['logListenPort'],
    adjusted: 'path without ?uuid= (the real server takes uuid in the body, optionally)',
  },
  {
    section: '4.18',
    method: 'PUT',
    path: '/v1/database-backups/{DB_1}/backup-storage/{BS_LOCAL}/actions',
    body: { exportDatabaseBackupFromBackupStorage: {} },
    expect: ['databaseBackupUrl'],
  },
  {
    section: '4.19',
    method: 'GET',
    path: '/v1/database-backups/image-store?url=ssh://root:password@{BS_LOCAL_HOST}:22/zstack_bs&registryPort=8000.0',
    expect: ['backups'],
    adjusted: 'reply is backups, not infos; host is a seeded image store instead of localhost',
  },
  {
    section: '4.20',
    method: 'DELETE',
    path: '/v1/exported-database-backup/{DB_1}/backup-storage/{BS_LOCAL}',
    expect: 'empty',
  },
  {
    section: '4.21',
    method: 'PUT',
    path: '/v1/database-backups/{DB_2}/actions',
    body: {
      syncDatabaseBackupFromImageStoreBackupStorage: {
        srcBackupStorageUuid: '{BS_LOCAL}',
        dstBackupStorageUuid: '{BS_DR}',
      },
    },
    expect: ['inventory'],
  },
  // §3: a query with q=, and the manual's condition= form (ignored by the real server).
  {
    section: '3.9',
    method: 'GET',
    path: '/v1/vm-instances?q=name=vm-web&q=state=Running',
    expect: ['inventories'],
  },
  {
    section: '3.2',
    method: 'GET',
    path: '/v1/vm-instances?condition=state=Running',
    expect: ['inventories'],
  },
  {
    section: '3.5',
    method: 'GET',
    path: '/v1/zones/{ZONE}',
    expect: ['inventories'],
    adjusted: 'inventories (a query), not inventory',
  },
]

let sim: Simulator
let session: string
let values: Record<string, string>

beforeEach(async () => {
  sim = await startTestSimulator()
  session = await rawLogin(sim)
  const S = seeded(sim)
  values = {
    BS_LOCAL: S.bsLocal.uuid,
    BS_LOCAL_HOST: S.bsLocal.hostname,
    BS_DR: S.bsDr.uuid,
    BS_OFFSITE: S.bsOffsite.uuid,
    VM_WEB_ROOT: S.vmWeb.rootVolumeUuid,
    VB_WEB_DATA: S.volumeBackup('web-data-daily').uuid,
    VB_WEB_ROOT: S.volumeBackup('web-root-weekly').uuid,
    VB_DB_ROOT: S.volumeBackup('vm-db-backup-root').uuid,
    GROUP: S.vmDbGroup,
    DB_1: S.databaseBackup('db-backup-nightly-1').uuid,
    DB_2: S.databaseBackup('db-backup-nightly-2').uuid,
    ZONE: sim.state.zones.rows[0]!.uuid,
  }
})
afterEach(() => sim.close())

const fill = (text: string) => text.replace(/\{([A-Z_0-9]+)\}/g, (_, k: string) => values[k] ?? `{${k}}`)

async function replay(e: Example): Promise<{ status: number; text: string }> {
  const res = await fetch(`${sim.baseUrl}${fill(e.path)}`, {
    method: e.method,
    headers: { 'content-type': 'application/json', authorization: `OAuth ${session}` },
    body: e.body === undefined ? undefined : fill(JSON.stringify(e.body)),
  })
  if (e.method === 'GET') {
    expect(res.status).toBe(200)
    return { status: res.status, text: await res.text() }
  }
  expect(res.status).toBe(202)
  const { location } = (await res.json()) as { location: string }
  for (let i = 0; i < 300; i++) {
    const poll = await fetch(location)
    if (poll.status !== 202) return { status: poll.status, text: await poll.text() }
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error('job did not finish')
}

describe('conformance with the manual’s request examples', () => {
  for (const e of EXAMPLES) {
    it(`§${e.section} ${e.method} ${e.path}${e.adjusted ? ` (adjusted: ${e.adjusted})` : ''}`, async () => {
      const { status, text } = await replay(e)
      expect(status, text).toBe(200)
      if (e.expect === 'empty') {
        expect(text === '' || text === '{}').toBe(true)
        return
      }
      const body = JSON.parse(text) as Record<string, unknown>
      // A query reply also carries `schema` (RestServer.writeResponse sets it on every query reply).
      const keys = Object.keys(body).filter(
        (k) => k !== 'schema' || !('inventories' in body || 'total' in body),
      )
      expect(keys.sort()).toEqual([...e.expect].sort())
    })
  }

  it('§3.7 login with the manual key loginByAccount is refused (400); logInByAccount works', async () => {
    const manual = await fetch(`${sim.baseUrl}/v1/accounts/login`, {
      method: 'PUT',
      body: JSON.stringify({ loginByAccount: { accountName: 'admin', password: SIM_PASSWORD_DIGEST } }),
    })
    expect(manual.status).toBe(400)
    const real = await fetch(`${sim.baseUrl}/v1/accounts/login`, {
      method: 'PUT',
      body: JSON.stringify({ logInByAccount: { accountName: 'admin', password: SIM_PASSWORD_DIGEST } }),
    })
    expect(real.status).toBe(200)
    expect(Object.keys((await real.json()) as object)).toEqual(['inventory'])
  })

  it('§3.7 logout answers 200', async () => {
    const r = await fetch(`${sim.baseUrl}/v1/accounts/sessions/${session}`, { method: 'DELETE' })
    expect(r.status).toBe(200)
  })

  it('the manual’s misspelled revert key is ignored: the node reverts from its first image store', async () => {
    const e = EXAMPLES.find((x) => x.section === '4.6')!
    const { status } = await replay({
      ...e,
      body: { revertVolumeFromVolumeBackup: { backupStrogeUuid: 'nope' } },
    })
    expect(status).toBe(200)
  })
})
