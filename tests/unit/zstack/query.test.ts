import { describe, expect, it } from 'vitest'
import { type AppError, isAppError } from '../../../src-main/errors/app-error.js'
import {
  type Condition,
  formatCondition,
  fromSearchParams,
  groupRows,
  parseCondition,
  query,
  readCondition,
  readSearchParams,
  toSearchParams,
} from '../../../src-shared/query/index.js'

function rejection(fn: () => unknown): AppError {
  try {
    fn()
  } catch (e) {
    expect(isAppError(e)).toBe(true)
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
    ['description is null', { field: 'description', op: 'is null', value: null }],
    ['description not null', { field: 'description', op: 'not null', value: null }],
    // On a node `=null` compares with the string 'null' (QueryFacadeImpl.toZQLConditionString).
    ['description=null', { field: 'description', op: '=', value: 'null' }],
    ['name=web server 1', { field: 'name', op: '=', value: 'web server 1' }],
    ['name~=%my backup%', { field: 'name', op: '~=', value: '%my backup%' }],
    ['createDate>2017-01-01 00:00:00', { field: 'createDate', op: '>', value: '2017-01-01 00:00:00' }],
    ['lastOpDate>=2017-08-19 22:20:57', { field: 'lastOpDate', op: '>=', value: '2017-08-19 22:20:57' }],
    ['createDate~=2017-11%', { field: 'createDate', op: '~=', value: '2017-11%' }],
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

describe('parseCondition: the server reading (RestServer.handleQueryApi, QUERY_OP_MAPPING order)', () => {
  const cases: [string, Condition][] = [
    // The first operator of != >= <= !?= !~= ~= ?= = > < that the text contains wins.
    ['name=a!=b', { field: 'name=a', op: '!=', value: 'b' }],
    ['size>a=b', { field: 'size>a', op: '=', value: 'b' }],
    // The field is trimmed, the value is not.
    [' name =x', { field: 'name', op: '=', value: 'x' }],
    ['name= x ', { field: 'name', op: '=', value: ' x ' }],
    // splitByWholeSeparator skips empty pieces: a doubled operator is dropped from the value.
    ['name==x', { field: 'name', op: '=', value: 'x' }],
    ['name is null and more', { field: 'name', op: 'is null', value: null }],
    ['uuid?=a,b,', { field: 'uuid', op: '?=', value: ['a', 'b'] }],
  ]
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => expect(readCondition(text).condition).toEqual(expected))
  }
  it('answers 400 where the server does: no operator, no value', () => {
    expect(rejection(() => readCondition('name')).text.en).toMatch(/no operator/)
    expect(rejection(() => readCondition('name=')).text.en).toMatch(/empty/)
  })
})

describe('parseCondition: what a node would misread is refused before sending', () => {
  const cases: [string, RegExp, number][] = [
    ['name=a!=b', /server reads "!=" as the operator/, 6],
    ['size>a=b', /server reads "=" as the operator/, 6],
    ['name==x', /starts with "="/, 5],
    ['name= x', /space/, 5],
    ['name=x ', /space/, 5],
    ["name=it's", /cannot contain '/, 7],
    ['name is null x', /nothing may follow/, 12],
    ['=x', /value after "=" is empty/, 0],
    [' =x=y', /field name is empty/, 0],
    ['name', /no operator/, 0],
    ['name=', /value after "=" is empty/, 4],
    ['uuid?=', /value after "\?=" is empty/, 5],
    ['uuid?=a,,b', /empty item/, 8],
    ['uuid?=a,', /empty item/, 7],
    ['a..b=x', /"" is not a valid field name/, 2],
    ['1name=x', /"1name" is not a valid field name/, 0],
    ['na-me=x', /"na-me" is not a valid field name/, 0],
    ['createDate>1510000000000', /not a date the node reads without doubt/, 11],
    ['createDate>yesterday', /yyyy-MM-dd HH:mm:ss/, 11],
    ['createDate>2017-02-30 00:00:00', /not a date/, 11],
    ['', /no operator/, 0],
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

  it('gives dates the node form: yyyy-MM-dd HH:mm:ss in the node time', () => {
    expect(parseCondition('createDate>2017-01-01T08:00:00').value).toBe('2017-01-01 08:00:00')
    expect(parseCondition('createDate<Nov 14, 2017 10:20:57 PM').value).toBe('2017-11-14 22:20:57')
    expect(parseCondition('lastOpDate>=2017-01-01').value).toBe('2017-01-01 00:00:00')
    expect(parseCondition('backupStorageRefs.createDate?=2017-01-01,2018-01-01').value).toEqual([
      '2017-01-01 00:00:00',
      '2018-01-01 00:00:00',
    ])
  })
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
      'description is null',
      'groupUuid not null',
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
    expect(query().where('name', '=', 'a b').build().conditions[0]).toEqual({
      field: 'name',
      op: '=',
      value: 'a b',
    })
    expect(rejection(() => query().where('name', '=', 'a!=b')).text.en).toMatch(
      /contains "!=", which the server reads as the operator/,
    )
    expect(rejection(() => query().where('name', '=', '=b')).text.en).toMatch(/operator|starts with/)
    expect(rejection(() => query().where('', '=', 'x')).text.en).toMatch(/empty/)
    expect(rejection(() => query().in('uuid', [])).text.en).toMatch(/empty/)
    expect(rejection(() => query().where('createDate', '>', 1510000000000)).text.en).toMatch(/not a date/)
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
    expect(params.getAll('q')).toEqual(['name~=%a_b%', 'uuid?=1,2', 'description is null'])
    expect(params.get('sort')).toBe('+size')
    // A 3.0.0 node ignores groupBy: it is never sent (the app groups locally).
    expect(params.has('groupBy')).toBe(false)
    const back = fromSearchParams(new URLSearchParams(params.toString()))
    const { groupBy: _local, ...sent } = options
    expect(back).toEqual(sent)
  })

  it('reads like the server: groupBy dropped, names unchecked, bare sort ascending', () => {
    const o = readSearchParams(new URLSearchParams('groupBy=status&sort=name&fields=a, b&q=x y=1'))
    expect(o).toEqual({
      conditions: [{ field: 'x y', op: '=', value: '1' }],
      sort: { field: 'name', direction: 'asc' },
      fields: ['a', 'b'],
    })
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
    expect(fromSearchParams(new URLSearchParams('sort=createDate')).sort).toEqual({
      field: 'createDate',
      direction: 'asc',
    })
    expect(rejection(() => fromSearchParams(new URLSearchParams('sort=-a b'))).details).toMatchObject({
      param: 'sort',
    })
  })
})

describe('groupRows: grouping done by the app (3.0.0 ignores groupBy)', () => {
  const rows = [
    { uuid: '1', status: 'Ready' },
    { uuid: '2', status: 'ready' },
    { uuid: '3', status: 'Creating' },
    { uuid: '4' },
    { uuid: '5' },
  ]
  it('keeps the first row of each value, text without regard to case, missing as null', () => {
    expect(groupRows(rows, 'status').map((r) => r.uuid)).toEqual(['1', '3', '4'])
  })
  it('refuses inherited names such as constructor like any unknown field', () => {
    for (const name of ['constructor', 'toString', 'nope']) {
      const e = rejection(() => groupRows(rows, name))
      expect(e.details).toMatchObject({ param: 'groupBy' })
      expect(e.text.en).toMatch(/no row has the field/)
    }
    expect(rejection(() => groupRows(rows, '__proto__.x')).details).toMatchObject({ param: 'groupBy' })
  })
})
