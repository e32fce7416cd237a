import http from 'node:http'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LogEnd, LogLine, OperationSummary } from '../../../src-main/api/contract/index.js'
import type { Services } from '../../../src-main/services.js'
import { connectedServices } from '../../harness/services.js'
import { type Simulator, seeded, startTestSimulator } from '../../harness/simulator.js'

/**
 * The restore log of RecoverDatabaseFromBackup as the node most likely serves it: zstack-ctl's
 * taillog behind `nc -lp` (spec README, "The live log"; zstackio/zstack-utility branch 3.0.0
 * zstackctl/zstackctl/ctl.py TailLogCmd.run): LF-only headers, `data: ` lines, one connection only,
 * never ending.
 */
let sim: Simulator
let svc: Services & { logLines: string[]; removeDir(): void }
let connectionId: string

beforeAll(async () => {
  sim = await startTestSimulator({ logLineIntervalMs: 40 })
  ;({ svc, connectionId } = await connectedServices(sim.baseUrl, { logRetryWindowMs: 300 }))
})
afterAll(async () => {
  await svc?.close()
  svc?.removeDir()
  await sim.close()
})

const call = (name: string, req: unknown) => svc.router.dispatch(name, req, { transport: 'cli' })

async function recover(): Promise<number> {
  const r = (await call('zstack.dr.call', {
    connectionId,
    api: 'RecoverDatabaseFromBackup',
    params: { uuid: seeded(sim).databaseBackup('db-backup-nightly-1').uuid, mysqlRootPassword: 'rootpw' },
  })) as { value: { logListenPort: number } }
  return r.value.logListenPort
}

function rawRead(port: number, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port })
    let got = ''
    s.on('data', (c) => {
      got += c.toString('utf8')
    })
    s.on('error', reject)
    setTimeout(() => {
      s.destroy()
      resolve(got)
    }, ms)
  })
}

describe('the simulated log port is taillog behind nc', () => {
  it('LF-only headers, data: lines, one connection only, never ends; Node http refuses it', async () => {
    const port = await recover()
    const text = await rawRead(port, 800)
    // TailLogCmd.run: echo -e 'HTTP/1.1 200 OK\nAccess-Control-Allow-Origin: *\nContent-type: text/event-stream\n'
    expect(
      text.startsWith('HTTP/1.1 200 OK\nAccess-Control-Allow-Origin: *\nContent-type: text/event-stream\n\n'),
    ).toBe(true)
    expect(text).not.toContain('\r')
    // sed -u -e 's/^/data: /;s/$/\n/'
    expect(text).toContain('data: Recover data successfully\n\n')
    // The reader left: nc has exited, nothing listens any more.
    await expect(rawRead(port, 100)).rejects.toThrow(/ECONNREFUSED/)

    const strict = await recover()
    const err = await new Promise<Error>((resolve) => {
      http.get(`http://127.0.0.1:${strict}/`, () => resolve(new Error('parsed'))).on('error', resolve)
    })
    expect(err.message).toMatch(/CR|Parse Error/i)
  })

  it('a second reader is refused while the first one reads', async () => {
    const port = await recover()
    const first = rawRead(port, 300)
    await new Promise((r) => setTimeout(r, 50))
    await expect(rawRead(port, 100)).rejects.toThrow(/ECONNREFUSED/)
    expect(await first).toContain('HTTP/1.1 200 OK')
  })
})

describe('the app fans one connection out to every viewer', () => {
  it('two viewers at once: each gets the lines so far, then every new line, then the end', async () => {
    const port = await recover()
    const events = new Map<string, string[]>()
    const ends = new Map<string, LogEnd>()
    const off = svc.bus.subscribe((name, p) => {
      if (name === 'zstack.log.line') {
        const l = p as LogLine
        events.set(l.streamId, [...(events.get(l.streamId) ?? []), l.line])
      }
      if (name === 'zstack.log.end') ends.set((p as LogEnd).streamId, p as LogEnd)
    })
    const a = (await call('zstack.logs.open', { connectionId, port, subject: 'fan-out' })) as {
      value: { streamId: string; lines: string[] }
    }
    // The second viewer joins once some lines have gone by.
    await expect.poll(() => events.get(a.value.streamId)?.length ?? 0, { timeout: 5000 }).toBeGreaterThan(3)
    const b = (await call('zstack.logs.open', { connectionId, port })) as {
      value: { streamId: string; lines: string[]; dropped: number }
    }
    expect(b.value.lines.length).toBeGreaterThan(3)
    expect(b.value.dropped).toBe(0)
    await expect.poll(() => ends.size, { timeout: 5000 }).toBe(2)
    const seenA = [...a.value.lines, ...(events.get(a.value.streamId) ?? [])]
    const seenB = [...b.value.lines, ...(events.get(b.value.streamId) ?? [])]
    expect(seenA).toEqual(seenB)
    expect(seenA[0]).toMatch(/^Checking the backup file/)
    expect(seenA.at(-1)).toBe('Recover data successfully')
    expect(ends.get(a.value.streamId)).toEqual({ streamId: a.value.streamId, reason: 'ended' })
    expect(ends.get(b.value.streamId)).toEqual({ streamId: b.value.streamId, reason: 'ended' })
    // A viewer that comes after the end still gets the whole log and the end.
    const late = (await call('zstack.logs.open', { connectionId, port })) as {
      value: { streamId: string; lines: string[] }
    }
    expect(late.value.lines).toEqual(seenA)
    await expect.poll(() => ends.get(late.value.streamId)?.reason).toBe('ended')
    off()
    // One recorded recovery for the one connection, succeeded on zstack-ctl's success line.
    await expect.poll(async () => (await recoveries('fan-out')).map((o) => o.state)).toEqual(['succeeded'])
    expect(svc.logLines.join('')).not.toContain('rootpw')
  })

  it('a lost connection is retried; when it cannot be made again the viewers are told it broke', async () => {
    const port = await recover()
    const ends: LogEnd[] = []
    const off = svc.bus.subscribe((name, p) => {
      if (name === 'zstack.log.end') ends.push(p as LogEnd)
    })
    const opened = (await call('zstack.logs.open', { connectionId, port, subject: 'lost' })) as {
      value: { streamId: string }
    }
    await new Promise((r) => setTimeout(r, 100))
    sim.logStreams.dropReaders()
    await expect.poll(() => ends.length, { timeout: 5000 }).toBe(1)
    off()
    expect(ends[0]).toMatchObject({
      streamId: opened.value.streamId,
      reason: 'broken',
      error: { code: 'zstack.log_stream_failed' },
    })
    await expect.poll(async () => (await recoveries('lost')).map((o) => o.state)).toEqual(['failed'])
  })

  it('a log that ends on an error line ends with an error, and the recovery is recorded as failed', async () => {
    // zstack-ctl's failure line (a guess: the premium code is not public; see isLastLine).
    const port = await sim.logStreams.start([
      'Checking the backup file x ...',
      'ERROR: the backup file is damaged',
    ])
    const ends: LogEnd[] = []
    const off = svc.bus.subscribe((name, p) => {
      if (name === 'zstack.log.end') ends.push(p as LogEnd)
    })
    const opened = (await call('zstack.logs.open', { connectionId, port, subject: 'damaged' })) as {
      value: { streamId: string }
    }
    await expect.poll(() => ends.length, { timeout: 5000 }).toBe(1)
    off()
    expect(ends[0]).toMatchObject({
      streamId: opened.value.streamId,
      reason: 'ended',
      error: { code: 'zstack.recover_unconfirmed' },
    })
    await expect.poll(async () => (await recoveries('damaged')).map((o) => o.state)).toEqual(['failed'])
  })

  it('the last viewer closing the log before its end records the recovery as cancelled', async () => {
    const port = await recover()
    const opened = (await call('zstack.logs.open', { connectionId, port, subject: 'closed' })) as {
      value: { streamId: string }
    }
    expect(await call('zstack.logs.close', { streamId: opened.value.streamId })).toMatchObject({
      value: { closed: true },
    })
    await expect.poll(async () => (await recoveries('closed')).map((o) => o.state)).toEqual(['cancelled'])
  })
})

/** The recorded recovery operations (job history) of one subject. */
async function recoveries(subject: string): Promise<OperationSummary[]> {
  const listed = (await call('ops.list', {})) as { value: OperationSummary[] }
  return listed.value.filter((o) => o.kind === 'zstack.recover' && o.subject === subject)
}
