import type { CheckStatus } from '../../../api/contract/restore.js'
import type { RestoreDrift, VmHaPlan } from '../../../api/contract/restore-drift.js'
import type { LocalizedText } from '../../../errors/app-error.js'

/** `3 d 4 h`, `5 h 12 min`, `40 s`: the backup's age at a glance (negative: the backup is from the future). */
export function formatAge(seconds: number): string {
  const s = Math.abs(seconds)
  const sign = seconds < 0 ? '-' : ''
  if (s >= 86400) return `${sign}${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`
  if (s >= 3600) return `${sign}${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
  if (s >= 60) return `${sign}${Math.floor(s / 60)} min`
  return `${sign}${s} s`
}

function totals(drift: RestoreDrift): { created: number; deleted: number; changed: number } {
  const t = { created: 0, deleted: 0, changed: 0 }
  for (const r of drift.resources) {
    t.created += r.counts.created
    t.deleted += r.counts.deleted
    t.changed += r.counts.changed
  }
  return t
}

/**
 * The plan line for the drift. Unknown drift never blocks; changed volume install paths block unless
 * accepted, because zstack-ctl 5.3.0 `check_restore_mysql` refuses them (zstack-utility ctl.py compares
 * `VolumeEO.installPath` of the backup with the live one and stops unless `--skip-check`).
 */
export function driftCheck(drift: RestoreDrift): [CheckStatus, LocalizedText] {
  if (drift.status === 'unknown') {
    const reason = drift.reason ?? { en: 'unknown reason', zh: '原因未知' }
    return [
      'unknown',
      {
        en: `What the restore would undo is unknown: ${reason.en} This does not block the restore.`,
        zh: `无法得知恢复会撤销哪些变更：${reason.zh} 这不会阻止恢复。`,
      },
    ]
  }
  const t = totals(drift)
  const age =
    drift.backupAgeSeconds === null
      ? { en: '', zh: '' }
      : {
          en: ` The backup is ${formatAge(drift.backupAgeSeconds)} old (${drift.backupTakenAt}).`,
          zh: ` 备份已有 ${formatAge(drift.backupAgeSeconds)}（${drift.backupTakenAt}）。`,
        }
  const partial =
    drift.unreadable.length === 0
      ? { en: '', zh: '' }
      : {
          en: ` Not compared: ${drift.unreadable.map((u) => `${u.kind} (${u.reason})`).join('; ')}.`,
          zh: ` 未比较：${drift.unreadable.map((u) => `${u.kind}（${u.reason}）`).join('；')}。`,
        }
  const summary = {
    en: `Since the backup: ${t.created} resources created (the restore forgets them; their data stays on storage), ${t.deleted} deleted (they come back), ${t.changed} changed.${age.en}${partial.en}`,
    zh: `自备份以来：新建 ${t.created} 个资源（恢复后将被遗忘，数据仍留在存储上），删除 ${t.deleted} 个（将重新出现），变更 ${t.changed} 个。${age.zh}${partial.zh}`,
  }
  if (drift.installPathChanged > 0) {
    const head = {
      en: `${drift.installPathChanged} volume install paths differ from the backup: zstack-ctl 5.3.0 would refuse this restore.`,
      zh: `${drift.installPathChanged} 个云盘的安装路径与备份不同：zstack-ctl 5.3.0 会拒绝此次恢复。`,
    }
    return drift.accepted
      ? [
          'warn',
          {
            en: `${head.en} The engineer accepted the drift; the report records it. ${summary.en}`,
            zh: `${head.zh} 工程师已接受此差异，报告中已记录。${summary.zh}`,
          },
        ]
      : [
          'fail',
          {
            en: `${head.en} Accept the drift to go on (--accept-drift, or type the confirmation in the window). ${summary.en}`,
            zh: `${head.zh} 如要继续，请接受差异（--accept-drift，或在窗口中输入确认文字）。${summary.zh}`,
          },
        ]
  }
  const none = t.created + t.deleted + t.changed === 0 && drift.unreadable.length === 0
  return [none ? 'ok' : 'warn', summary]
}

/** Current zstack-ctl switches VM HA off in the restored database, so the node's first boot does not act on a stale view. */
export function vmHaCheck(ha: VmHaPlan): [CheckStatus, LocalizedText] {
  const value = ha.inBackup ?? 'no row'
  if (ha.action === 'keep')
    return [
      'warn',
      {
        en: `VM HA is kept as the backup has it (ha.enable: ${value}): at its first boot the node may restart or fence VMs from the backup's stale view.`,
        zh: `VM 高可用保持备份中的设置（ha.enable：${value}）：节点首次启动时可能依据备份中过时的状态重启或隔离云主机。`,
      },
    ]
  if (ha.inBackup === null)
    return [
      'warn',
      {
        en: "VM HA: the backup has no 'ha'/'enable' global config, so there is nothing to switch off; the node uses its default at first boot.",
        zh: "VM 高可用：备份中没有 'ha'/'enable' 全局配置，无需关闭；节点首次启动时使用默认值。",
      },
    ]
  return [
    'ok',
    {
      en: `VM HA will be switched off in the restored database (ha.enable: ${value} → false), as current zstack-ctl does. Turn it on again once the node is back and the VMs are checked.`,
      zh: `恢复后的数据库中将关闭 VM 高可用（ha.enable：${value} → false），与新版 zstack-ctl 一致。节点恢复并检查云主机后，请重新开启。`,
    },
  ]
}
