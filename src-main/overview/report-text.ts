/**
 * The words of the exported report (CSV header, HTML report, the CLI's text form) in both
 * languages. The window uses its own i18n files; this is what leaves the app as a file.
 */
import { binaryBytes } from '../util/bytes.js'

export type ReportLang = 'en' | 'zh-CN'

const en = {
  title: 'Protection overview',
  connection: 'Connection',
  generated: 'Generated',
  cacheAge: 'Offline inventory age',
  notSynced: 'never synced: nothing is known about this connection',
  rpo: 'RPO target',
  vmsOutside: (out: number, all: number, rpo: string, never: number) =>
    `${out} of ${all} VMs outside ${rpo}; ${never} never backed up`,
  volumesOutside: (out: number, all: number, never: number) =>
    `${out} of ${all} data volumes outside the target; ${never} never backed up`,
  singleStore: (n: number) => `${n} newest backups on fewer than two connected image stores`,
  database: 'Management database',
  dbPerStore: 'Newest database backup on',
  dbExported: 'Newest exported copy',
  dbOffline: 'Newest copy reachable without the node',
  dbFetched: 'Newest copy on this computer',
  dbRestoreTo: (age: string) => `If the node died now, you would restore to a backup ${age} old.`,
  dbNone: 'none',
  dbDrill: 'Last proven backup (recovery drill)',
  drillOutcome: { passed: 'passed', failed: 'failed', refused: 'refused' },
  drillRestore: (seconds: string) => `restored in ${seconds} s`,
  stores: 'Image stores',
  items: 'VMs and data volumes',
  kind: 'Kind',
  vm: 'VM',
  dataVolume: 'Data volume',
  name: 'Name',
  uuid: 'UUID',
  attachedTo: 'Attached to',
  newest: 'Newest backup',
  age: 'Age',
  backups: 'Backups',
  onStores: 'Image stores',
  twoStores: 'On two stores',
  breached: 'Outside RPO',
  never: 'never',
  yes: 'yes',
  no: 'no',
  status: 'Status',
  capacity: 'Capacity',
  available: 'Available',
  used: 'Used by backups',
  growth: 'Growth per week',
  daysFull: 'Days until full',
  ageDistribution: 'Age of the newest backup per VM',
  times: 'Times are the management node’s clock; ages are measured against this computer’s clock.',
  more: (n: number) => `… and ${n} more (all of them with --csv)`,
  units: { d: 'd', h: 'h', m: 'min', s: 's' },
  buckets: { '1d': '< 1 d', '2d': '1–2 d', '7d': '2–7 d', '30d': '7–30 d', older: '> 30 d', never: 'never' },
}

export type ReportText = typeof en

const zh: ReportText = {
  title: '保护概览',
  connection: '连接',
  generated: '生成时间',
  cacheAge: '离线清单的时效',
  notSynced: '从未同步：对此连接一无所知',
  rpo: 'RPO 目标',
  vmsOutside: (out, all, rpo, never) => `${all} 台云主机中有 ${out} 台超出 ${rpo}；${never} 台从未备份`,
  volumesOutside: (out, all, never) => `${all} 个数据云盘中有 ${out} 个超出目标；${never} 个从未备份`,
  singleStore: (n) => `${n} 个最新备份位于少于两个已连接的镜像仓库`,
  database: '管理数据库',
  dbPerStore: '最新数据库备份位于',
  dbExported: '最新导出副本',
  dbOffline: '无需管理节点即可获取的最新副本',
  dbFetched: '本机上的最新副本',
  dbRestoreTo: (age) => `如果管理节点此刻宕机，可恢复到 ${age} 前的备份。`,
  dbNone: '无',
  dbDrill: '最近验证的备份（恢复演练）',
  drillOutcome: { passed: '通过', failed: '失败', refused: '被拒绝' },
  drillRestore: (seconds) => `恢复用时 ${seconds} 秒`,
  stores: '镜像仓库',
  items: '云主机和数据云盘',
  kind: '类型',
  vm: '云主机',
  dataVolume: '数据云盘',
  name: '名称',
  uuid: 'UUID',
  attachedTo: '挂载到',
  newest: '最新备份',
  age: '时长',
  backups: '备份数',
  onStores: '镜像仓库',
  twoStores: '位于两个仓库',
  breached: '超出 RPO',
  never: '从未',
  yes: '是',
  no: '否',
  status: '状态',
  capacity: '容量',
  available: '可用',
  used: '备份占用',
  growth: '每周增长',
  daysFull: '预计写满天数',
  ageDistribution: '每台云主机最新备份的时长',
  times: '时间为管理节点的时钟；时长按本机时钟计算。',
  more: (n) => `……另有 ${n} 个（--csv 列出全部）`,
  units: { d: '天', h: '小时', m: '分钟', s: '秒' },
  buckets: {
    '1d': '< 1 天',
    '2d': '1–2 天',
    '7d': '2–7 天',
    '30d': '7–30 天',
    older: '> 30 天',
    never: '从未',
  },
}

export function reportText(lang: ReportLang): ReportText {
  return lang === 'zh-CN' ? zh : en
}

/** `3 d 4 h`, `5 h 12 min`, `40 s`: the two largest units, enough to compare against an RPO. */
export function formatAge(seconds: number | null, t: ReportText): string {
  if (seconds === null) return t.never
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), t.units.d],
    [Math.floor((seconds % 86_400) / 3600), t.units.h],
    [Math.floor((seconds % 3600) / 60), t.units.m],
    [seconds % 60, t.units.s],
  ]
  const first = parts.findIndex(([n]) => n > 0)
  if (first < 0) return `0 ${t.units.s}`
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, u]) => `${n} ${u}`)
    .join(' ')
}

export function formatHours(hours: number, t: ReportText): string {
  return formatAge(Math.round(hours * 3600), t)
}

/** 1024-based, as ZStack's console shows sizes; `—` for unknown. */
export function formatBytes(bytes: number | null): string {
  return bytes === null ? '—' : binaryBytes(bytes)
}
