import type { LocalizedText } from '../errors/app-error.js'
import type { Column } from './output/index.js'
import { humanBytes, localDate } from './output/values.js'

/**
 * The columns `zsdr query` and `zsdr api query` show for ZStack inventories: the ones the
 * window's tables show first, the rest with --wide. Stores are shown by name when the caller
 * could look them up (a row holds only their UUIDs).
 */
type Row = Record<string, unknown>
/** A column that shows one field of the row, named by `key` (so --fields can pick it). */
type InvColumn = Column<Row> & { key?: string }

/** Backup-storage UUID → name, for the STORES column. */
export type StoreNames = ReadonlyMap<string, string>

const field = (name: string, header: LocalizedText, more: Partial<Column<Row>> = {}): InvColumn => ({
  key: name,
  header,
  value: (r) => r[name],
  ...more,
})

const name = field('name', { en: 'NAME', zh: '名称' }, { shrink: true })
// UUIDs give way like names do (the window shows them shortened too); --wide or JSON has them whole.
const uuid = field('uuid', { en: 'UUID', zh: 'UUID' }, { shrink: true })
const ref = (key: string, header: LocalizedText, wide = false) => field(key, header, { shrink: true, wide })
const status = field('status', { en: 'STATUS', zh: '状态' })
const state = field('state', { en: 'STATE', zh: '启用状态' })
const type = field('type', { en: 'TYPE', zh: '类型' })
const bytes = (key: string, header: LocalizedText, wide = false): InvColumn =>
  field(key, header, { right: true, wide, show: (r) => humanBytes(r[key]) })
const size = bytes('size', { en: 'SIZE', zh: '大小' })
const date = (key: string, header: LocalizedText, wide = false): InvColumn =>
  field(key, header, { wide, show: (r) => localDate(r[key]) })
const created = date('createDate', { en: 'CREATED', zh: '创建时间' })
const lastOp = date('lastOpDate', { en: 'LAST CHANGE', zh: '最后修改' }, true)
const description = field('description', { en: 'DESCRIPTION', zh: '描述' }, { wide: true, shrink: true })

function storeUuids(r: Row): string[] {
  const refs = Array.isArray(r.backupStorageRefs) ? (r.backupStorageRefs as Row[]) : []
  return refs.map((ref) => String(ref.backupStorageUuid ?? ''))
}

function stores(names: StoreNames): InvColumn {
  return {
    header: { en: 'STORES', zh: '备份服务器' },
    value: (r) => storeUuids(r).join(' '),
    show: (r) =>
      storeUuids(r)
        .map((u) => names.get(u) ?? u)
        .join(', ') || '-',
    shrink: true,
  }
}

/** A string field of the row's `metadata` JSON (written by the node; anything else is ignored). */
function metadataField(r: Row, key: string): string | null {
  try {
    const v = (JSON.parse(String(r.metadata ?? '{}')) as Record<string, unknown>)[key]
    return typeof v === 'string' ? v : null
  } catch {
    return null
  }
}

const byResource: Record<string, (names: StoreNames) => InvColumn[]> = {
  volumeBackups: (n) => [
    name,
    uuid,
    status,
    size,
    // The volume's name when the backup's metadata has it; CSV and JSON keep its UUID.
    {
      ...ref('volumeUuid', { en: 'VOLUME', zh: '云盘' }),
      show: (r) => metadataField(r, 'volumeName') ?? String(r.volumeUuid ?? '-'),
    },
    stores(n),
    created,
    { ...state, wide: true },
    { ...type, wide: true },
    ref('groupUuid', { en: 'GROUP', zh: '备份组' }, true),
    lastOp,
    description,
  ],
  databaseBackups: (n) => [
    name,
    uuid,
    status,
    { header: { en: 'VERSION', zh: '版本' }, value: (r) => metadataField(r, 'version') },
    size,
    stores(n),
    created,
    { ...state, wide: true },
    lastOp,
    description,
  ],
  imageStoreBackupStorages: () => [
    name,
    uuid,
    status,
    state,
    field('hostname', { en: 'HOST', zh: '主机' }),
    bytes('availableCapacity', { en: 'AVAILABLE', zh: '可用容量' }),
    bytes('totalCapacity', { en: 'TOTAL', zh: '总容量' }),
    lastOp,
    description,
  ],
  volumes: () => [
    name,
    uuid,
    type,
    status,
    size,
    ref('vmInstanceUuid', { en: 'VM', zh: '云主机' }),
    created,
    { ...state, wide: true },
    lastOp,
    description,
  ],
  vmInstances: () => [
    name,
    uuid,
    state,
    field('cpuNum', { en: 'CPUS', zh: 'CPU' }, { right: true }),
    bytes('memorySize', { en: 'MEMORY', zh: '内存' }),
    created,
    field('hypervisorType', { en: 'HYPERVISOR', zh: '虚拟化' }, { wide: true }),
    lastOp,
    description,
  ],
  images: (n) => [
    name,
    uuid,
    status,
    field('format', { en: 'FORMAT', zh: '格式' }),
    size,
    stores(n),
    created,
    { ...field('mediaType', { en: 'MEDIA', zh: '介质类型' }), wide: true },
    { ...field('platform', { en: 'PLATFORM', zh: '平台' }), wide: true },
    lastOp,
  ],
  zones: () => [name, uuid, state, created, lastOp, description],
}

/**
 * Columns for rows of `resource`; with `fields` (the user's --fields) exactly those, in that
 * order, sizes and dates still made readable.
 */
export function inventoryColumns(
  resource: string,
  names: StoreNames,
  fields?: readonly string[],
): InvColumn[] {
  const known: InvColumn[] = byResource[resource]?.(names) ?? [name, uuid, status, created]
  if (!fields) return known
  return fields.map((f) => known.find((c) => c.key === f) ?? field(f, { en: f.toUpperCase(), zh: f }))
}

/** The store UUIDs the rows refer to (to look their names up). */
export function referencedStores(rows: readonly Row[]): string[] {
  return [...new Set(rows.flatMap(storeUuids))].filter(Boolean)
}
