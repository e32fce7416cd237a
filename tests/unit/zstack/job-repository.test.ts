import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src-main/db/index.js'
import { registerSecret } from '../../../src-main/errors/redact.js'
import { JobRepository } from '../../../src-main/zstack/jobs/job-repository.js'

const job = (jobUuid: string) => ({
  jobUuid,
  connectionId: 'abcdef0123456789',
  endpoint: 'http://10.0.0.5:8080/zstack',
  api: 'CreateDatabaseBackup',
  method: 'POST',
  path: '/v1/database-backups',
  targetUuid: null,
})

describe('JobRepository (migration 2)', () => {
  it('records each step; final states set finishedAt; location and result are kept', () => {
    const repo = new JobRepository(openDatabase(':memory:'))
    repo.started(job('a'.repeat(32)))
    expect(repo.get('a'.repeat(32))).toMatchObject({ state: 'sending', location: null, finishedAt: null })
    repo.update('a'.repeat(32), { state: 'running', location: 'http://x/v1/api-jobs/1' })
    repo.update('a'.repeat(32), { state: 'running' })
    expect(repo.get('a'.repeat(32))).toMatchObject({
      state: 'running',
      location: 'http://x/v1/api-jobs/1',
      finishedAt: null,
    })
    repo.update('a'.repeat(32), { state: 'succeeded', result: { inventory: { uuid: 'u' } } })
    const done = repo.get('a'.repeat(32))!
    expect(done.result).toEqual({ inventory: { uuid: 'u' } })
    expect(done.finishedAt).not.toBeNull()
  })

  it('lists newest first with filters; rejects a job id that is not 32 characters', () => {
    const repo = new JobRepository(openDatabase(':memory:'))
    repo.started(job('1'.repeat(32)))
    repo.started({ ...job('2'.repeat(32)), connectionId: null })
    repo.update('1'.repeat(32), { state: 'failed' })
    expect(repo.list().map((j) => j.jobUuid)).toEqual(['2'.repeat(32), '1'.repeat(32)])
    expect(repo.list({ states: ['failed'] }).map((j) => j.jobUuid)).toEqual(['1'.repeat(32)])
    expect(repo.list({ connectionId: 'abcdef0123456789' })).toHaveLength(1)
    expect(() => repo.started(job('short'))).toThrow()
  })

  it('stores no secret: registered secrets in results and errors are redacted', () => {
    const repo = new JobRepository(openDatabase(':memory:'))
    registerSecret('hunter2-secret')
    repo.started(job('3'.repeat(32)))
    repo.update('3'.repeat(32), {
      state: 'failed',
      error: { code: 'x', message: { en: 'pw hunter2-secret', zh: 'hunter2-secret' } },
    })
    expect(JSON.stringify(repo.get('3'.repeat(32)))).not.toContain('hunter2-secret')
  })
})
