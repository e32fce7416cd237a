import type { MysqlClient } from '../mysql-client.js'

/**
 * Switches VM HA off in the restored `zstack` database. Current zstack-ctl does this while loading:
 * zstack-utility `zstackctl/zstackctl/ctl.py`, `RestoreMysqlCmd` (commit f7b496e8, version 5.2.0),
 * pipes the dump through
 *   sed "s/,'enable','enable HA or not','ha','true','true')/,'enable','enable HA or not','ha','true','false')/g"
 * i.e. the `GlobalConfigVO` row (name `enable`, category `ha`) gets value `false`. We do the same with
 * one UPDATE after the load, which also catches a row whose description or default differ from that
 * exact text, and read the value back for the report.
 */
export const DISABLE_VM_HA_SQL =
  "UPDATE `zstack`.`GlobalConfigVO` SET `value` = 'false' WHERE `category` = 'ha' AND `name` = 'enable';"
const READ_VM_HA_SQL =
  "SELECT IFNULL(HEX(`value`), 'N') FROM `zstack`.`GlobalConfigVO` WHERE `category` = 'ha' AND `name` = 'enable';"

/**
 * Switches HA off (unless the engineer keeps it) and returns the `ha`/`enable` values found afterwards
 * (empty: the database has no such row).
 */
export async function applyVmHa(mysql: MysqlClient, disable: boolean): Promise<(string | null)[]> {
  const rows = await mysql.query(disable ? `${DISABLE_VM_HA_SQL}\n${READ_VM_HA_SQL}` : READ_VM_HA_SQL)
  return rows.map(([hex]) =>
    hex === undefined || hex === 'N' ? null : Buffer.from(hex, 'hex').toString('utf8'),
  )
}
