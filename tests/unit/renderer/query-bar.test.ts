import { describe, expect, it } from 'vitest'
import { blameQuery, completions, parseQuery, withBytes } from '../../../src-renderer/src/lib/query.js'
import { VOLUME_BACKUP_FIELDS } from '../../../src-renderer/src/lib/resources.js'

describe('query bar language', () => {
  it('splits conditions on spaces and parses each with the backend parser', () => {
    const q = parseQuery('status=Ready  size>1073741824 name~=%db%', VOLUME_BACKUP_FIELDS)
    expect(q.problem).toBeNull()
    expect(q.conditions).toEqual(['status=Ready', 'size>1073741824', 'name~=%db%'])
    expect(q.parsed[1]).toEqual({ field: 'size', op: '>', value: '1073741824' })
  })

  it('points at the character of a value the node would misread, in the whole text', () => {
    const q = parseQuery('status=Ready name==x', VOLUME_BACKUP_FIELDS)
    expect(q.problem?.position).toBe('status=Ready '.length + 5)
    expect(q.problem?.message.en).toContain('starts with "="')
    expect(q.problem?.message.zh).toContain('服务器会将其丢弃')
  })

  it('quoted values keep their spaces; null tests are field is null / field not null', () => {
    const q = parseQuery(
      'name="web server 1" description is null groupUuid not null name~="a \\"b\\" %"',
      VOLUME_BACKUP_FIELDS,
    )
    expect(q.problem).toBeNull()
    expect(q.conditions).toEqual([
      'name=web server 1',
      'description is null',
      'groupUuid not null',
      'name~=a "b" %',
    ])
    expect(q.parsed[1]).toEqual({ field: 'description', op: 'is null', value: null })
    expect(parseQuery('createDate>"2017-01-01 00:00:00"', VOLUME_BACKUP_FIELDS).parsed[0]?.value).toBe(
      '2017-01-01 00:00:00',
    )
  })

  it('hints come from the failed request, whatever the error code', () => {
    const conditions = ['status=Ready', 'size>big']
    // A node answers SYS.1000 and names the value it could not read.
    const node = {
      code: 'zstack.server_error',
      message: { en: 'The management node reported an error (SYS.1000).', zh: '…' },
      details: { serverCode: 'SYS.1000', error: { details: 'invalid value[big] for field[size]' } },
    }
    expect(blameQuery(node, conditions, VOLUME_BACKUP_FIELDS)?.condition).toBe(1)
    // An unknown field in the request is blamed even when the error says nothing about it.
    const quiet = {
      code: 'zstack.server_error',
      message: { en: 'x', zh: 'x' },
      details: { serverCode: 'SYS.1000' },
    }
    expect(blameQuery(quiet, ['colour=red'], VOLUME_BACKUP_FIELDS)?.problem.message.en).toContain(
      'unknown field "colour"',
    )
    // An error that is not about the query (a lost session) is no query hint.
    const session = { code: 'zstack.session_expired', message: { en: 'Session expired', zh: '会话过期' } }
    expect(blameQuery(session, conditions, VOLUME_BACKUP_FIELDS)).toBeNull()
  })

  it('refuses fields the resource does not have, but accepts joined fields and tags', () => {
    expect(parseQuery('colour=red', VOLUME_BACKUP_FIELDS).problem?.message.en).toContain(
      'unknown field "colour"',
    )
    expect(
      parseQuery('backupStorageRefs.backupStorageUuid=abc __userTag__=x', VOLUME_BACKUP_FIELDS).problem,
    ).toBeNull()
  })

  it('an empty text is no condition at all', () => {
    expect(parseQuery('   ', VOLUME_BACKUP_FIELDS)).toEqual({ conditions: [], parsed: [], problem: null })
  })

  it('completes field names first, then operators, and stops once a value is typed', () => {
    const fields = completions('sta', 3, VOLUME_BACKUP_FIELDS)
    // Prefix matches first, then matches inside a name (installPath contains "sta").
    expect(fields.items.map((i) => i.insert)).toEqual([
      'state',
      'status',
      'backupStorageRefs.installPath',
      'backupStorageRefs.status',
    ])
    const ops = completions('size', 4, VOLUME_BACKUP_FIELDS)
    expect(ops.items.every((i) => i.kind === 'operator')).toBe(true)
    expect(ops.items.map((i) => i.insert)).toContain('size>=')
    const partial = completions('x=1 size!', 9, VOLUME_BACKUP_FIELDS)
    expect(partial.start).toBe(4)
    expect(partial.items.map((i) => i.label)).toEqual(['!=', '!~=', '!?='])
    expect(completions('size>10', 7, VOLUME_BACKUP_FIELDS).items).toEqual([])
    expect(ops.items.map((i) => i.insert)).toContain('size is null')
  })
})

describe('query bar sizes with units', () => {
  it('sends sizes in bytes (1024-based, as the table shows them)', () => {
    const q = parseQuery('size>10GB size<=1.5TiB status=Ready', VOLUME_BACKUP_FIELDS)
    expect(q.problem).toBeNull()
    expect(q.conditions).toEqual(['size>10737418240', 'size<=1649267441664', 'status=Ready'])
    expect(withBytes('size?=1KB,2mb')).toBe('size?=1024,2097152')
  })

  it('leaves plain numbers, other fields and nonsense units to the parser', () => {
    expect(withBytes('size>1073741824')).toBe('size>1073741824')
    expect(withBytes('name=10GB')).toBe('name=10GB')
    expect(withBytes('size>10XB')).toBe('size>10XB')
  })
})
