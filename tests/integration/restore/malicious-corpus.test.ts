import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../src-main/errors/app-error.js'
import { runRestore } from '../../../src-main/recovery/restore/engine.js'
import { MysqlClient } from '../../../src-main/recovery/restore/mysql-client.js'
import { preflight, type RestoreSettings } from '../../../src-main/recovery/restore/preflight.js'
import { streamRestore } from '../../../src-main/recovery/restore/stream-restore.js'
import type { RemoteHost } from '../../../src-main/ssh/remote-host.js'
import {
  MALICIOUS_KINDS,
  maliciousBackup,
  VARIANT_FORMS,
  variant,
} from '../../fixtures/zstack-db/malicious.js'
import type { MariaDb } from '../../harness/mariadb.js'
import type { Sshd } from '../../harness/sshd.js'
import { checksums, collectingSink, hostDir, sshdConnector, startDamagedNode, tempDir } from './helpers.js'

/**
 * A crafted backup must not reach anything outside the three management databases: every statement
 * kind of issue #10, in four forms, is refused by the preflight on a real host (MariaDB + sshd);
 * afterwards nothing outside changed, no file appeared, no user appeared, and the objects a good
 * restore leaves (triggers fired to prove it) touch nothing outside either.
 */
describe('malicious backups (real MariaDB and sshd)', () => {
  const password = `Root-Pw-${process.pid}`
  let db: MariaDb
  let sshd: Sshd
  let backup: string
  let original: Record<string, string>
  let host: RemoteHost
  let before: Outside
  const markers = hostDir('zsdr-pwn-')
  const marker = join(markers, 'pwned')
  const sqlFile = join(markers, 'pwn.sql')
  const backups = tempDir('zsdr-malicious-')

  /** Everything a backup must not change: outside databases, users, server settings, files. */
  interface Outside {
    canary: string
    databases: string
    users: string
    objects: string
    settings: string
    files: string[]
  }
  async function outside(): Promise<Outside> {
    return {
      canary: await db.sql('CHECKSUM TABLE canary.t'),
      databases: await db.sql('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY 1'),
      users: await db.sql("SELECT CONCAT(User, '@', Host, ' ', Priv) FROM mysql.global_priv ORDER BY 1"),
      objects: await db.sql(
        `SELECT 'routine', ROUTINE_SCHEMA, ROUTINE_NAME FROM information_schema.ROUTINES
         UNION ALL SELECT 'event', EVENT_SCHEMA, EVENT_NAME FROM information_schema.EVENTS
         UNION ALL SELECT 'trigger', TRIGGER_SCHEMA, TRIGGER_NAME FROM information_schema.TRIGGERS
         UNION ALL SELECT 'view', TABLE_SCHEMA, TABLE_NAME FROM information_schema.VIEWS ORDER BY 1, 2, 3`,
      ),
      settings: await db.sql('SELECT @@GLOBAL.general_log, @@GLOBAL.read_only, @@GLOBAL.event_scheduler'),
      files: readdirSync(markers).sort(),
    }
  }

  function settings(backupFile: string): RestoreSettings {
    return {
      backupFile,
      mysql: { host: '127.0.0.1', port: db.port, password },
      skipUi: false,
      safetyDir: hostDir('zsdr-malicious-host-'),
      laptopDir: tempDir('zsdr-malicious-laptop-'),
    }
  }

  /** The corpus backup of kind `id`, plain form, written to a file. */
  function plainBackup(id: string): string {
    const kind = MALICIOUS_KINDS.find((k) => k.id === id)
    if (!kind) throw new Error(`corpus lost its ${id} case`)
    const file = join(backups, `${id}.gz`)
    writeFileSync(file, maliciousBackup(backup, variant(kind, 'plain', { file: marker, sql: sqlFile })).gz)
    return file
  }

  beforeAll(async () => {
    ;({ db, sshd, backup, original } = await startDamagedNode(password))
    await db.sql(
      'CREATE DATABASE canary; CREATE TABLE canary.t (id int); INSERT INTO canary.t VALUES (1), (2);',
    )
    writeFileSync(sqlFile, 'DROP DATABASE canary;\n')
    chmodSync(sqlFile, 0o644)
    host = await sshdConnector(sshd)()
    before = await outside()
  }, 180_000)
  afterAll(async () => {
    await host?.close()
    await Promise.all([db?.stop(), sshd?.stop()])
  })

  const cases = MALICIOUS_KINDS.flatMap((kind) => VARIANT_FORMS.map((form) => ({ kind, form })))

  it(`every one of ${cases.length} malicious backups is refused by the preflight, at its line`, async () => {
    const failures: string[] = []
    const check = async ({ kind, form }: (typeof cases)[number]) => {
      const { gz, line } = maliciousBackup(backup, variant(kind, form, { file: marker, sql: sqlFile }))
      const file = join(backups, `${kind.id}-${form}.gz`)
      writeFileSync(file, gz)
      const { plan, facts } = await preflight(host, settings(file))
      await facts.mysql?.close()
      const statements = plan.checks.find((c) => c.id === 'backup_statements')
      if (plan.ok || statements?.status !== 'fail' || !statements.text.en.includes(`line ${line}:`))
        failures.push(`${kind.id} (${form}): ${plan.ok ? 'plan ok' : statements?.text.en}`)
    }
    // Four at a time over one SSH connection: the preflight is what is tested, not the machine's patience.
    for (let i = 0; i < cases.length; i += 4) await Promise.all(cases.slice(i, i + 4).map(check))
    expect(failures).toEqual([])
    expect(await outside()).toEqual(before)
  }, 240_000)

  it('the engine refuses a malicious backup before anything is dropped, and --dry-run reports why', async () => {
    const file = plainBackup('shell-escape')
    const damaged = await checksums(db)
    for (const dryRun of [false, true]) {
      const log = collectingSink()
      const result = await runRestore({
        runId: 'c'.repeat(32),
        settings: settings(file),
        connect: sshdConnector(sshd),
        confirm: async () => true,
        sinks: [log.sink],
        dryRun,
      })
      expect(result.outcome).toBe('refused')
      expect(result.safetyDump).toBeNull()
      expect(log.text()).toContain('backup_statements')
      expect(log.text()).toContain('client command')
    }
    expect(await checksums(db)).toEqual(damaged)
    expect(await outside()).toEqual(before)
  }, 60_000)

  it('past the preflight too, the loader never receives a refused statement', async () => {
    const file = plainBackup('system')
    const mysql = await MysqlClient.open(host, { host: '127.0.0.1', port: db.port, socket: null }, password)
    const dropped: string[] = []
    try {
      const error = await streamRestore(host, mysql, file, {
        databases: ['zstack'],
        definerHost: 'localhost',
        onDrop: (d) => dropped.push(d),
      }).then(
        () => null,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).code).toBe('restore.backup_refused')
    } finally {
      await mysql.close()
    }
    expect(dropped).toEqual([])
    expect(existsSync(marker)).toBe(false)
  }, 60_000)

  it('after a good restore, firing every trigger touches nothing outside the three databases', async () => {
    const result = await runRestore({
      runId: 'd'.repeat(32),
      settings: settings(backup),
      connect: sshdConnector(sshd),
      confirm: async () => true,
    })
    expect(result.outcome).toBe('restored')
    expect(await checksums(db)).toEqual(original)
    const triggers = (
      await db.sql(
        `SELECT EVENT_OBJECT_SCHEMA, EVENT_OBJECT_TABLE, EVENT_MANIPULATION FROM information_schema.TRIGGERS
          WHERE TRIGGER_SCHEMA IN ('zstack', 'zstack_rest', 'zstack_ui')`,
      )
    )
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t') as [string, string, string])
    expect(triggers.length).toBeGreaterThanOrEqual(3)
    for (const [schema, table, action] of triggers) {
      const t = `\`${schema}\`.\`${table}\``
      const statement =
        action === 'DELETE'
          ? `DELETE FROM ${t} LIMIT 2`
          : action === 'UPDATE'
            ? `UPDATE ${t} SET deleted = NOW() LIMIT 2`
            : `INSERT IGNORE INTO ${t} SELECT * FROM ${t} LIMIT 1`
      await db.sql(`SET FOREIGN_KEY_CHECKS = 0; SET sql_mode = ''; ${statement};`).catch(async () => {
        // Tables without a `deleted` column: any update fires the UPDATE triggers.
        const col = await db.sql(
          `SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${schema}' AND TABLE_NAME = '${table}' ORDER BY ORDINAL_POSITION LIMIT 1`,
        )
        await db.sql(`UPDATE ${t} SET \`${col.trim()}\` = \`${col.trim()}\` LIMIT 2`)
      })
    }
    expect(await outside()).toEqual(before)
  }, 120_000)
})
