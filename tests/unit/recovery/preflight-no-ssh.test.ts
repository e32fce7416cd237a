import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../src-main/errors/app-error.js'
import { preflight } from '../../../src-main/recovery/restore/preflight.js'

const dir = mkdtempSync(join(tmpdir(), 'zsdr-preflight-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('dry run after SSH was refused', () => {
  it('says every host check is unknown (not checked), never that zstack-ctl or schema_version is absent', async () => {
    const backupFile = join(dir, 'backup.gz')
    writeFileSync(backupFile, gzipSync('CREATE DATABASE IF NOT EXISTS `zstack`;\n'))
    const refused = new AppError('ssh.connection_failed', { en: 'refused', zh: '被拒绝' })
    const { plan } = await preflight(refused, {
      backupFile,
      mysql: { password: 'x' },
      skipUi: false,
      laptopDir: dir,
    })
    expect(plan.ok).toBe(false)
    expect(plan.checks.find((c) => c.id === 'ssh')?.status).toBe('fail')
    for (const id of ['version', 'disk_host'] as const) {
      const check = plan.checks.find((c) => c.id === id)
      expect(check?.status, id).toBe('unknown')
      expect(check?.text.en, id).toMatch(/^Not checked: there is no SSH connection/)
    }
    const text = JSON.stringify(plan.checks)
    expect(text).not.toMatch(/no schema_version in the live|zstack-ctl is not on this host/)
  })
})
