import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LocalQueryEngine } from '../../../src-main/cache/local-query.js'
import { CacheStore, type Inventory } from '../../../src-main/cache/store.js'
import { type Database, openDatabase } from '../../../src-main/db/index.js'
import { isAppError } from '../../../src-main/errors/app-error.js'
import { fromSearchParams } from '../../../src-shared/query/index.js'

const BS_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const BS_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'

function backup(n: number, over: Partial<Inventory> = {}, refs: string[] = [BS_A]): Inventory {
  const uuid = `${String(n).padStart(4, '0')}${'c'.repeat(28)}`
  const date = `Nov ${n}, 2017 ${(n % 12) + 1}:00:0${n % 10} ${n % 2 ? 'AM' : 'PM'}`
  return {
    uuid,
    volumeUuid: `vol${n % 3}`,
    name: `backup-${n}`,
    description: n % 4 === 0 ? null : `Backup_${n}%`,
    type: n % 2 ? 'Root' : 'Data',
    state: 'Enabled',
    status: n % 3 ? 'Ready' : 'Creating',
    size: n * 1000,
    metadata: null,
    groupUuid: n % 2 ? `g${n % 5}` : null,
    createDate: date,
    lastOpDate: date,
    backupStorageRefs: refs.map((b) => ({
      volumeBackupUuid: uuid,
      backupStorageUuid: b,
      installPath: `zstore://volumebackup/${uuid}`,
      status: 'Ready',
      createDate: date,
      lastOpDate: date,
    })),
    ...over,
  }
}

const ROWS: Inventory[] = [
  backup(5, { name: 'Web-Data' }, [BS_A, BS_B]),
  backup(3, { name: 'web-root' }, [BS_B]),
  backup(8, { name: 'db_1' }, []),
  backup(1, { name: 'DB%1' }),
  backup(12, { name: 'WEB-ROOT' }),
  backup(7, { size: null }),
]

let db: Database
let engine: LocalQueryEngine

function q(...params: string[]) {
  const search = new URLSearchParams()
  for (const p of params) {
    const eq = p.indexOf(':')
    search.append(p.slice(0, eq), p.slice(eq + 1))
  }
  return engine.run('conn', 'volumeBackups', fromSearchParams(search))
}
const names = (...params: string[]) => q(...params).inventories?.map((i) => i.name)

beforeEach(() => {
  db = openDatabase(':memory:')
  const store = new CacheStore(db)
  const snap = store.createSnapshot('conn')
  store.insertPage(snap, 'volumeBackups', ROWS)
  store.publish('conn', snap, [], { kind: 'full', outcome: 'complete', error: null })
  engine = new LocalQueryEngine(db, store)
})
afterEach(() => db.close())

describe('local query engine', () => {
  it('keeps the server order without sort, and equality ignores case', () => {
    expect(names()).toEqual(['Web-Data', 'web-root', 'db_1', 'DB%1', 'WEB-ROOT', 'backup-7'])
    expect(names('q:name=Web-Root')).toEqual(['web-root', 'WEB-ROOT'])
    expect(names('q:name!=web-root')).toEqual(['Web-Data', 'db_1', 'DB%1', 'backup-7'])
  })

  it('null satisfies no comparison; null tests select it', () => {
    expect(names('q:description!=x')).toEqual(['Web-Data', 'web-root', 'DB%1', 'backup-7'])
    expect(names('q:description is null')).toEqual(['db_1', 'WEB-ROOT'])
    // As on a node, `=null` compares with the text 'null' (QueryFacadeImpl quotes every value).
    expect(names('q:description=null')).toEqual([])
    expect(names('q:size!?=5000')).toEqual(['web-root', 'db_1', 'DB%1', 'WEB-ROOT'])
    expect(names('q:size not null', 'q:size>=5000')).toEqual(['Web-Data', 'db_1', 'WEB-ROOT'])
  })

  it('LIKE: % and _, backslash escapes, case-insensitive, NOT LIKE skips nulls', () => {
    expect(names('q:name~=web%')).toEqual(['Web-Data', 'web-root', 'WEB-ROOT'])
    expect(names('q:name~=db_1')).toEqual(['db_1', 'DB%1'])
    expect(names('q:name~=db\\_1')).toEqual(['db_1'])
    expect(names('q:name~=db\\%1')).toEqual(['DB%1'])
    expect(names('q:description!~=%\\%')).toEqual([])
  })

  it('lists, numbers and dates compare by type', () => {
    expect(names('q:uuid?=0003cccccccccccccccccccccccccccc,0001CCCCCCCCCCCCCCCCCCCCCCCCCCCC')).toEqual([
      'web-root',
      'DB%1',
    ])
    expect(names('q:size>7000')).toEqual(['db_1', 'WEB-ROOT'])
    expect(names('q:size<1e4', 'q:size>2999')).toEqual(['Web-Data', 'web-root', 'db_1'])
    expect(names('q:createDate<2017-11-05T00:00')).toEqual(['web-root', 'DB%1'])
    expect(names('q:createDate=2017-11-05T06:00:05')).toEqual(['Web-Data'])
  })

  it('nested fields match any ref; negative forms mean no ref matches', () => {
    expect(names(`q:backupStorageRefs.backupStorageUuid=${BS_B}`)).toEqual(['Web-Data', 'web-root'])
    expect(names(`q:backupStorageRefs.backupStorageUuid!=${BS_B}`)).toEqual([
      'db_1',
      'DB%1',
      'WEB-ROOT',
      'backup-7',
    ])
    expect(names('q:backupStorageRefs.backupStorageUuid is null')).toEqual([])
    expect(q(`q:backupStorageRefs.backupStorageUuid=${BS_B}`, 'count:true')).toEqual({ total: 2 })
    expect(q(`q:backupStorageRefs.backupStorageUuid=${BS_A}`, 'replyWithCount:true', 'limit:1').total).toBe(4)
    expect(names('q:backupStorageRefs.status!?=Ready')).toEqual(['db_1'])
  })

  it('sorts with ties in server order, pages, counts and groups', () => {
    expect(names('sort:-name')).toEqual(['web-root', 'WEB-ROOT', 'Web-Data', 'db_1', 'DB%1', 'backup-7'])
    expect(names('sort:+size')).toEqual(['backup-7', 'DB%1', 'web-root', 'Web-Data', 'db_1', 'WEB-ROOT'])
    expect(names('sort:+size', 'limit:2', 'start:2')).toEqual(['web-root', 'Web-Data'])
    expect(q('q:name~=web%', 'count:true')).toEqual({ total: 3 })
    expect(q('q:name~=web%', 'replyWithCount:true', 'limit:1').total).toBe(3)
    expect(names('groupBy:name')).toEqual(['Web-Data', 'web-root', 'db_1', 'DB%1', 'backup-7'])
    expect(names('groupBy:groupUuid', 'sort:-size')).toEqual([
      'WEB-ROOT',
      'Web-Data',
      'web-root',
      'DB%1',
      'backup-7',
    ])
    expect(q('groupBy:type', 'count:true')).toEqual({ total: 2 })
  })

  it('fields returns only those fields, in that order', () => {
    const reply = q('fields:size,name,backupStorageRefs', 'limit:1')
    expect(reply.inventories).toEqual([
      { size: 5000, name: 'Web-Data', backupStorageRefs: ROWS[0]!.backupStorageRefs },
    ])
    expect(Object.keys(reply.inventories![0]!)).toEqual(['size', 'name', 'backupStorageRefs'])
  })

  it('returns the stored inventory unchanged (Gson dates and all)', () => {
    expect(q('limit:1').inventories).toEqual([ROWS[0]])
  })

  it('an unknown field is an error that names the queryable fields', () => {
    for (const params of [
      ['q:colour=red'],
      ['sort:+colour'],
      ['groupBy:backupStorageRefs'],
      ['fields:colour'],
      // Inherited names are unknown fields like any other (issue 10).
      ['sort:constructor'],
      ['sort:-toString'],
      ['groupBy:constructor'],
      ['fields:constructor'],
      ['q:constructor=1'],
      ['q:__proto__.x=1'],
    ]) {
      try {
        q(...params)
        expect.unreachable()
      } catch (e) {
        expect(isAppError(e) && e.code).toBe('cache.query.unknown_field')
        expect((e as Error).message).toContain('Queryable fields: uuid, name')
      }
    }
    expect(() => q('q:backupStorageRefs.colour=1')).toThrow(/backupStorageRefs\.backupStorageUuid/)
  })

  it('a value that is not of the field type is rejected; tag conditions need the node', () => {
    expect(() => q('q:size>big')).toThrow(/cache.query.invalid_value/)
    // A date the node could misread is refused by the shared parser before the cache sees it.
    expect(() => q('q:createDate>yesterday')).toThrow(/zstack.query.invalid/)
    expect(() => q('q:createDate>1510000000000')).toThrow(/zstack.query.invalid/)
    expect(() => q('q:__userTag__=x')).toThrow(/cache.query.tags_not_cached/)
  })

  it('values are bound, never spliced into SQL', () => {
    expect(names('q:name=x"OR"1"="1')).toEqual([])
    expect(() => q("q:name=x'OR'1'='1")).toThrow(/cannot contain '/)
    expect(names('q:name?=a);DROP/**/TABLE/**/cache_volume_backups;--')).toEqual([])
    expect(names()).toHaveLength(6)
  })

  it('a connection never synced says so', () => {
    expect(() => engine.run('other', 'volumeBackups', { conditions: [] })).toThrow(/cache.not_synced/)
  })
})
