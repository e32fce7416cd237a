import type { RestoreDrift, VmHaPlan } from '../../../api/contract/restore-drift.js'
import { AppError, type LocalizedText } from '../../../errors/app-error.js'
import type { MysqlClient } from '../mysql-client.js'
import type { BackupRows } from './backup-rows.js'
import { compareDrift, vmHaPlan } from './compare.js'
import { type LiveRows, readLiveRows } from './live-rows.js'

export { BackupRowCollector } from './backup-rows.js'
export { driftCheck, vmHaCheck } from './plan-checks.js'
export { trackedTables } from './resources.js'
export { applyVmHa } from './vm-ha.js'

/** Why the live side cannot be read, when the preflight already knows it cannot. */
export type LiveSource = { mysql: MysqlClient } | { unreachable: LocalizedText } | { noMysql: true }

/**
 * The drift and VM HA parts of the plan, from the backup's rows and the live side (`readLiveSide`).
 */
export function planDrift(
  backup: BackupRows | null,
  live: LiveSide,
  choices: { acceptDrift: boolean; keepHa: boolean },
): { drift: RestoreDrift; vmHa: VmHaPlan } {
  return {
    drift: compareDrift(backup, live, choices.acceptDrift),
    vmHa: vmHaPlan(backup, choices.keepHa),
  }
}

/** The live rows, or why they cannot be read. */
export type LiveSide = LiveRows | LocalizedText

/**
 * Reads the live database for the drift (SELECTs only); any failure to read it makes the drift
 * `unknown` with the reason, never a failed preflight.
 */
export async function readLiveSide(source: LiveSource): Promise<LiveSide> {
  if ('unreachable' in source)
    return {
      en: `the management-node host could not be reached (${source.unreachable.en})`,
      zh: `无法连接管理节点主机（${source.unreachable.zh}）`,
    }
  if ('noMysql' in source)
    return {
      en: 'the live database could not be read (see the MySQL check).',
      zh: '无法读取现有数据库（见 MySQL 检查）。',
    }
  try {
    return (
      (await readLiveRows(source.mysql)) ?? {
        en: 'the host has no zstack database to compare with.',
        zh: '主机上没有可供比较的 zstack 数据库。',
      }
    )
  } catch (e) {
    const text = e instanceof AppError ? e.text : { en: 'unexpected error', zh: '意外错误' }
    return { en: `reading the live database failed: ${text.en}`, zh: `读取现有数据库失败：${text.zh}` }
  }
}
