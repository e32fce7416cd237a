import { AppError } from '../errors/app-error.js'
import type { ResourceName } from './resources.js'

/** A field the cache does not know; the message lists what can be queried instead. */
export function unknownField(
  resource: ResourceName,
  field: string,
  param: string,
  queryable: string[],
): AppError {
  const list = queryable.join(', ')
  return new AppError(
    'cache.query.unknown_field',
    {
      en: `${param}: "${field}" is not a queryable field of ${resource}. Queryable fields: ${list}`,
      zh: `${param}：“${field}”不是 ${resource} 的可查询字段。可查询字段：${list}`,
    },
    { resource, field, param, queryable },
  )
}

/** A value that cannot be read as the field's type (the server answers SYS.1007 for these). */
export function invalidValue(field: string, value: string, expected: string): AppError {
  return new AppError(
    'cache.query.invalid_value',
    {
      en: `invalid value "${value}" for field ${field}: expected ${expected}`,
      zh: `字段 ${field} 的值“${value}”无效：应为${expected}`,
    },
    { field, value, expected },
  )
}

export function tagsNotCached(field: string): AppError {
  return new AppError(
    'cache.query.tags_not_cached',
    {
      en: `${field} conditions match system/user tags, which the offline inventory does not keep; run this query while the management node is reachable`,
      zh: `${field} 条件匹配系统/用户标签，离线清单不保存标签；请在管理节点可达时执行此查询`,
    },
    { field },
  )
}

export function unknownResource(name: string, known: readonly string[]): AppError {
  return new AppError(
    'cache.unknown_resource',
    {
      en: `"${name}" is not a cached resource. Known resources: ${known.join(', ')}`,
      zh: `“${name}”不是已缓存的资源。可用资源：${known.join(', ')}`,
    },
    { resource: name, known },
  )
}
