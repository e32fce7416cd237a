import { describe, expect, it } from 'vitest'
import type { OperationFinished, OperationProgress } from '../../../src-main/api/contract/index.js'
import { EventBus } from '../../../src-main/api/event-bus.js'
import { OperationHistory } from '../../../src-main/api/operation-history.js'
import { OperationRegistry } from '../../../src-main/api/operations.js'
import { openDatabase } from '../../../src-main/db/index.js'
import { AppError } from '../../../src-main/errors/app-error.js'
import { registerSecret } from '../../../src-main/errors/redact.js'

function collect(bus: EventBus) {
  const progress: OperationProgress[] = []
  const finished: OperationFinished[] = []
  bus.subscribe((name, payload) => {
    if (name === 'op.progress') progress.push(payload as OperationProgress)
    if (name === 'op.finished') finished.push(payload as OperationFinished)
  })
  return { progress, finished }
}

describe('operations', () => {
  it('reports progress with rate and ETA, then success', async () => {
    const bus = new EventBus()
    const events = collect(bus)
    const ops = new OperationRegistry(bus)
    const { opId, done } = ops.start('demo', 'Demo', async (op) => {
      op.progress({ phase: 'copy', done: 0, total: 100, unit: 'bytes' })
      await new Promise((r) => setTimeout(r, 300))
      op.progress({ phase: 'copy', done: 50, total: 100, unit: 'bytes' })
      return 'value'
    })
    expect(await done).toBe('value')
    const last = events.progress.at(-1)!
    expect(last.opId).toBe(opId)
    expect(last.ratePerSecond).toBeGreaterThan(0)
    expect(last.etaSeconds).toBeGreaterThanOrEqual(0)
    expect(last.etaSeconds).toBeLessThan(5)
    expect(events.finished).toEqual([{ opId, kind: 'demo', outcome: 'succeeded' }])
    expect(ops.list()[0]?.state).toBe('succeeded')
  })

  it('cancels through the signal and says so', async () => {
    const bus = new EventBus()
    const events = collect(bus)
    const ops = new OperationRegistry(bus)
    const { opId, done } = ops.start('demo', 'Demo', (op) => {
      return new Promise((_resolve, reject) => {
        op.signal.addEventListener('abort', () => reject(op.signal.reason))
      })
    })
    expect(ops.cancel(opId)).toBe(true)
    await expect(done).rejects.toMatchObject({ code: 'op.cancelled' })
    expect(events.finished[0]?.outcome).toBe('cancelled')
    expect(events.finished[0]?.error?.code).toBe('op.cancelled')
    expect(ops.cancel(opId)).toBe(false)
  })

  it('reports a failure as an envelope without the raw error text', async () => {
    const bus = new EventBus()
    const events = collect(bus)
    const ops = new OperationRegistry(bus)
    const { done } = ops.start('demo', 'Demo', async () => {
      throw new Error('secret detail')
    })
    await expect(done).rejects.toThrow()
    expect(events.finished[0]?.outcome).toBe('failed')
    expect(JSON.stringify(events.finished)).not.toContain('secret detail')
  })

  it('prunes finished operations after a while and beyond a cap; running ones stay', async () => {
    const bus = new EventBus()
    const ops = new OperationRegistry(bus, undefined, { keepFinishedMs: 200, maxFinished: 2 })
    let release = () => {}
    const running = ops.start('demo', 'Still running', () => new Promise<void>((r) => (release = r)))
    const quick = () => ops.start('demo', 'Quick', async () => 'done')
    const a = quick()
    const b = quick()
    const c = quick()
    await Promise.all([a.done, b.done, c.done])
    // Three finished, cap 2: the oldest finished one goes.
    expect(ops.list().map((o) => o.opId)).toEqual([running.opId, b.opId, c.opId])
    await new Promise((r) => setTimeout(r, 300))
    expect(ops.list().map((o) => o.opId)).toEqual([running.opId])
    release()
    await running.done
    expect(ops.list().map((o) => o.state)).toEqual(['succeeded'])
  })

  it('keeps name, target, duration, outcome and cause across a restart; an interrupted one ends failed', async () => {
    const db = openDatabase(':memory:')
    const first = new OperationRegistry(new EventBus(), new OperationHistory(db))
    registerSecret('hunter2-secret')
    const cause = new AppError(
      'zstack.api_failed',
      { en: 'The node refused: bad password hunter2-secret', zh: '节点拒绝' },
      { cause: { code: 'SYS.1000', details: 'backup storage is Disconnected' } },
    )
    const failed = first.start(
      'zstack.dr',
      { label: 'DeleteVolumeBackup', subject: 'web-01 nightly', connectionId: 'c1' },
      async () => {
        throw cause
      },
    )
    await expect(failed.done).rejects.toBe(cause)
    const ok = first.start('cache.sync', { label: 'Sync', connectionId: 'c1' }, async () => 1)
    await ok.done
    first.start('db.fetch', 'Fetch', () => new Promise(() => {}))

    // A new process on the same database: the live map is empty, the history is not.
    const second = new OperationRegistry(new EventBus(), new OperationHistory(db))
    const listed = second.list()
    expect(listed.map((o) => o.state).sort()).toEqual(['failed', 'failed', 'succeeded'])
    const del = listed.find((o) => o.opId === failed.opId)!
    expect(del).toMatchObject({ label: 'DeleteVolumeBackup', subject: 'web-01 nightly', connectionId: 'c1' })
    expect(Date.parse(del.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(del.startedAt))
    expect(del.error?.details).toEqual({
      cause: { code: 'SYS.1000', details: 'backup storage is Disconnected' },
    })
    expect(JSON.stringify(listed)).not.toContain('hunter2-secret')
    expect(listed.find((o) => o.kind === 'db.fetch')?.error?.code).toBe('op.interrupted')
    db.close()
  })
})
