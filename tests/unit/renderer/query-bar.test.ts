import { describe, expect, it } from 'vitest'
import { completions, parseQuery, withBytes } from '../../../src-renderer/src/lib/query.js'
import { VOLUME_BACKUP_FIELDS } from '../../../src-renderer/src/lib/resources.js'

describe('query bar language', () => {
  it('splits conditions on spaces and parses each with the backend parser', () => {
    const q = parseQuery('status=Ready  size>1073741824 name~=%db%', VOLUME_BACKUP_FIELDS)
    expect(q.problem).toBeNull()
    expect(q.conditions).toEqual(['status=Ready', 'size>1073741824', 'name~=%db%'])
    expect(q.parsed[1]).toEqual({ field: 'size', op: '>', value: '1073741824' })
  })

  it('points at the character of a bad operator in the whole text', () => {
    const q = parseQuery('status=Ready name==x', VOLUME_BACKUP_FIELDS)
    expect(q.problem?.position).toBe('status=Ready '.length + 4)
    expect(q.problem?.message.en).toContain('unknown operator "=="')
    expect(q.problem?.message.zh).toContain('未知运算符')
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
