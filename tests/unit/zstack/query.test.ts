import { describe, expect, it } from 'vitest'
import { AppError } from '../../../src-main/errors/app-error.js'
import {
  type Condition,
  formatCondition,
  fromSearchParams,
  parseCondition,
  query,
  toSearchParams,
} from '../../../src-shared/query/index.js'

function rejection(fn: () => unknown): AppError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(AppError)
    return e as AppError
  }
  throw new Error('expected a rejection')
}

describe('parseCondition: every operator', () => {
  const cases: [string, Condition][] = [
    ['name=backup-1', { field: 'name', op: '=', value: 'backup-1' }],
    ['status!=Ready', { field: 'status', op: '!=', value: 'Ready' }],
    ['size>1073741824', { field: 'size', op: '>', value: '1073741824' }],
    ['size<10', { field: 'size', op: '<', value: '10' }],
    ['size>=-1', { field: 'size', op: '>=', value: '-1' }],
    ['size<=0', { field: 'size', op: '<=', value: '0' }],
    ['uuid?=a,b,c', { field: 'uuid', op: '?=', value: ['a', 'b', 'c'] }],
    ['uuid!?=a', { field: 'uuid', op: '!?=', value: ['a'] }],
    ['name~=%db_%', { field: 'name', op: '~=', value: '%db_%' }],
    ['name!~=tmp%', { field: 'name', op: '!~=', value: 'tmp%' }],
    ['description=null', { field: 'description', op: '=null', value: null }],
    ['description!=null', { field: 'description', op: '!=null', value: null }],
    [
      'backupStorageRefs.backupStorageUuid=abc',
      { field: 'backupStorageRefs.backupStorageUuid', op: '=', value: 'abc' },
    ],
    ['__systemTag__=ha::NeverStop', { field: '__systemTag__', op: '=', value: 'ha::NeverStop' }],
    ['__userTag__~=prod%', { field: '__userTag__', op: '~=', value: 'prod%' }],
    ['description=a=b', { field: 'description', op: '=', value: 'a=b' }],
  ]
  for (const [text, expected] of cases) {
    it(`${text}`, () => {
      const c = parseCondition(text)
      expect(c).toEqual(expected)
      expect(formatCondition(c)).toBe(text)
    })
  }
})

describe('parseCondition: malformed conditions point at the problem', () => {
  const cases: [string, RegExp, number][] = [
    ['name = x', /spaces are not allowed/, 4],
    ['name=my backup', /spaces are not allowed/, 7],
    ['name==x', /unknown operator "=="/, 4],
    ['size=>1', /unknown operator "=>"/, 4],
    ['name~x', /unknown operator "~"/, 4],
    ['size!1', /unknown operator "!"/, 4],
    ['=x', /field name is empty/, 0],
    ['name', /expected an operator/, 3],
    ['name=', /value after "=" is empty/, 4],
    ['uuid?=', /value after "\?=" is empty/, 5],
    ['uuid?=a,,b', /empty item/, 8],
    ['uuid?=a,', /empty item/, 7],
    ['a..b=x', /"" is not a valid field name/, 2],
    ['1name=x', /"1name" is not a valid field name/, 0],
    ['na-me=x', /"na-me" is not a valid field name/, 0],
    ['', /empty/, 0],
  ]
  for (const [text, message, position] of cases) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      const e = rejection(() => parseCondition(text))
      expect(e.code).toBe('zstack.query.invalid')
      expect(e.text.en).toMatch(message)
      expect(e.text.en).toContain(`at character ${position + 1}`)
      expect(e.text.zh).toContain(`第 ${position + 1} 个字符`)
      expect(e.details).toMatchObject({ param: 'q', position })
    })
  }
})

describe('query builder', () => {
  it('builds every kind of condition and option', () => {
    const q = query()
      .where('status', '=', 'Ready')
      .where('size', '>=', 1024)
      .in('uuid', ['a', 'b'])
      .notIn('type', ['x'])
      .like('name', 'db%')
      .isNull('description')
      .notNull('groupUuid')
      .systemTag('a::b')
      .userTag('prod')
      .limit(50)
      .start(100)
      .replyWithCount()
      .sort('createDate', 'desc')
      .fields('uuid', 'name')
      .groupBy('groupUuid')
      .build()
    expect(q.conditions.map(formatCondition)).toEqual([
      'status=Ready',
      'size>=1024',
      'uuid?=a,b',
      'type!?=x',
      'name~=db%',
      'description=null',
      'groupUuid!=null',
      '__systemTag__=a::b',
      '__userTag__=prod',
    ])
    expect(q).toMatchObject({
      limit: 50,
      start: 100,
      replyWithCount: true,
      sort: { field: 'createDate', direction: 'desc' },
      fields: ['uuid', 'name'],
      groupBy: 'groupUuid',
    })
  })

  it('rejects bad input with the parser message', () => {
    expect(rejection(() => query().where('name', '=', 'a b')).text.en).toMatch(/spaces/)
    expect(rejection(() => query().where('', '=', 'x')).text.en).toMatch(/field name is empty/)
    expect(rejection(() => query().in('uuid', [])).text.en).toMatch(/empty/)
    expect(rejection(() => query().where('name', '=', 'null')).text.en).toMatch(/isNull/)
    expect(rejection(() => query().limit(-1)).text.en).toMatch(/non-negative integer/)
    expect(rejection(() => query().sort('a b')).details).toMatchObject({ param: 'sort' })
  })

  it('returns an independent copy', () => {
    const b = query().where('a', '=', '1')
    const first = b.build()
    b.where('b', '=', '2')
    expect(first.conditions).toHaveLength(1)
  })
})

describe('URL parameters', () => {
  it('round-trips QueryOptions', () => {
    const options = query()
      .where('name', '~=', '%a_b%')
      .in('uuid', ['1', '2'])
      .isNull('description')
      .limit(10)
      .start(20)
      .count()
      .replyWithCount()
      .sort('size', 'asc')
      .fields('uuid')
      .groupBy('status')
      .build()
    const params = toSearchParams(options)
    expect(params.getAll('q')).toEqual(['name~=%a_b%', 'uuid?=1,2', 'description=null'])
    expect(params.get('sort')).toBe('+size')
    const back = fromSearchParams(new URLSearchParams(params.toString()))
    expect(back).toEqual(options)
  })

  it('reads the server way: first fields only, condition= ignored, unencoded + in sort', () => {
    const o = fromSearchParams(
      new URLSearchParams('fields=uuid,name&fields=size&condition=name=x&sort= createDate'),
    )
    expect(o.fields).toEqual(['uuid', 'name'])
    expect(o.conditions).toEqual([])
    expect(o.sort).toEqual({ field: 'createDate', direction: 'asc' })
  })

  it('rejects non-integer limit/start and bad sort', () => {
    expect(rejection(() => fromSearchParams(new URLSearchParams('limit=abc'))).details).toMatchObject({
      param: 'limit',
    })
    expect(rejection(() => fromSearchParams(new URLSearchParams('start=1.5'))).details).toMatchObject({
      param: 'start',
      position: 1,
    })
    expect(rejection(() => fromSearchParams(new URLSearchParams('limit=-3'))).text.en).toMatch(/non-negative/)
    expect(rejection(() => fromSearchParams(new URLSearchParams('sort=createDate'))).text.en).toMatch(
      /must start with \+/,
    )
    expect(rejection(() => fromSearchParams(new URLSearchParams('q=a%20=b'))).text.en).toMatch(/spaces/)
  })
})
