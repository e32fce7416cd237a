import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { scanBackup } from '../../../src-main/recovery/restore/backup-scan-memory.js'

const dir = mkdtempSync(join(tmpdir(), 'zsdr-scan-memory-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const dump = (name: string) => `CREATE DATABASE /*!32312 IF NOT EXISTS*/ \`zstack\`;
USE \`zstack\`;
DROP TABLE IF EXISTS \`VmInstanceEO\`;
CREATE TABLE \`VmInstanceEO\` (
  \`uuid\` varchar(32) NOT NULL,
  \`name\` varchar(255) NOT NULL,
  \`state\` varchar(64) NOT NULL,
  \`deleted\` datetime DEFAULT NULL
) ENGINE=InnoDB;
INSERT INTO \`VmInstanceEO\` VALUES ('a','${name}','Running',NULL),('b','云主机','Stopped',NULL);
`

function backup(file: string, name: string): string {
  const path = join(dir, file)
  writeFileSync(path, gzipSync(dump(name)))
  return path
}

describe('backup scans remembered by SHA-256', () => {
  it('scans once; a second look at the same bytes reuses the result, also under another name', async () => {
    const memory = join(dir, 'memory-1')
    const file = backup('zstack-backup-db-2026-11-27_10-00-00.gz', 'vm-1')
    const first = await scanBackup(file, memory)
    expect(first.recalled).toBe(false)
    const [entry] = readdirSync(memory)
    expect(entry).toBe(`${first.inspection.sha256}.json`)
    expect(statSync(join(memory, entry as string)).mode & 0o777).toBe(0o600)

    const second = await scanBackup(file, memory)
    expect(second.recalled).toBe(true)
    expect(second.inspection).toEqual(first.inspection)
    expect(second.rows).toEqual(first.rows)
    expect(second.rows.tables.get('VmInstanceEO')).toMatchObject({ ok: true, rows: [{ name: 'vm-1' }, {}] })

    // The backup's time comes from the name of the file looked at, not from the one remembered.
    const copy = join(dir, 'copy.gz')
    writeFileSync(copy, readFileSync(file))
    const again = await scanBackup(copy, memory)
    expect(again.recalled).toBe(true)
    expect(first.rows.takenAt).toBe('2026-11-27 10:00:00')
    expect(again.rows.takenAt).toBeNull()
  })

  it('scans again when the bytes changed, the entry is damaged or made by another version', async () => {
    const memory = join(dir, 'memory-2')
    const file = backup('b.gz', 'vm-1')
    const { inspection } = await scanBackup(file, memory)
    const entry = join(memory, `${inspection.sha256}.json`)

    writeFileSync(entry, '{"appVersion": "0.1.0", "sha256": "not what it says"')
    expect((await scanBackup(file, memory)).recalled).toBe(false)

    const stored = JSON.parse(readFileSync(entry, 'utf8'))
    writeFileSync(entry, JSON.stringify({ ...stored, appVersion: '0.0.0-other' }))
    expect((await scanBackup(file, memory)).recalled).toBe(false)

    backup('b.gz', 'vm-2')
    const changed = await scanBackup(file, memory)
    expect(changed.recalled).toBe(false)
    expect(changed.inspection.sha256).not.toBe(inspection.sha256)
    expect(changed.rows.tables.get('VmInstanceEO')).toMatchObject({ rows: [{ name: 'vm-2' }, {}] })
  })

  it('remembers nothing about a backup that fails its check', async () => {
    const memory = join(dir, 'memory-3')
    const file = backup('c.gz', 'vm-1')
    const whole = readFileSync(file)
    writeFileSync(file, whole.subarray(0, whole.length - 10))
    await expect(scanBackup(file, memory)).rejects.toMatchObject({ code: 'backup.integrity_failed' })
    await expect(scanBackup(file, memory)).rejects.toMatchObject({ code: 'backup.integrity_failed' })
    expect(() => readdirSync(memory)).toThrow()
  })
})
