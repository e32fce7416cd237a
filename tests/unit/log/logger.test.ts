import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { registerSecret } from '../../../src-main/errors/redact.js'
import { memoryLogger } from '../../harness/services.js'

const RECORDER = fileURLToPath(new URL('../../harness/record-imports.mjs', import.meta.url))
const LOGGER = fileURLToPath(new URL('../../../src-main/log/logger.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'zsdr-logger-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('createLogger', () => {
  it('writes JSON lines at the level asked, secrets censored by key and redacted in messages', () => {
    const { log, lines } = memoryLogger()
    registerSecret('s3cret-in-message-77')
    log.info({ password: 'by-key-pw', host: 'h1' }, 'connected with s3cret-in-message-77')
    log.warn('careful')
    expect(lines).toHaveLength(2)
    const first = JSON.parse(lines[0] ?? '')
    expect(first).toMatchObject({ level: 30, password: '***', host: 'h1', msg: 'connected with ***' })
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ level: 40, msg: 'careful' })
    expect(lines.join('')).not.toContain('by-key-pw')
  })

  it('loads pino at the first line logged, not when the logger is made (#17: start-up)', () => {
    const record = join(dir, 'imports.txt')
    const script = [
      `const { createLogger } = await import(${JSON.stringify(LOGGER)})`,
      `const { appendFileSync } = await import('node:fs')`,
      `const log = createLogger({ destination: { write: () => {} } })`,
      `appendFileSync(process.env.ZSDR_RECORD_IMPORTS, '-- first line\\n')`,
      `log.error('something failed')`,
    ].join('\n')
    const r = spawnSync(
      process.execPath,
      ['--import', RECORDER, '--import', 'tsx', '--input-type=module', '-e', script],
      { env: { ...process.env, ZSDR_RECORD_IMPORTS: record }, encoding: 'utf8' },
    )
    expect(r.status, r.stderr).toBe(0)
    const [before, after] = readFileSync(record, 'utf8').split('-- first line\n')
    expect(before?.split('\n')).not.toContain('pino')
    expect(after?.split('\n')).toContain('pino')
  })
})
