import { Writable } from 'node:stream'
import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import type { OperationProgress } from '../../../src-main/api/contract/index.js'
import { ProgressLine, progressText } from '../../../src-main/cli/output/progress.js'
import { TerminalWriter } from '../../../src-main/cli/output/writer.js'

function stream(tty: boolean) {
  let text = ''
  const raw = Object.assign(
    new Writable({
      write(chunk, _e, done) {
        text += String(chunk)
        done()
      },
    }),
    tty ? { isTTY: true, columns: 60 } : {},
  )
  return { writer: new TerminalWriter(raw), text: () => text }
}

function progress(over: Partial<OperationProgress> = {}): OperationProgress {
  return {
    opId: 'op',
    kind: 'db.fetch',
    phase: 'download',
    done: 512 * 1048576,
    total: 2048 * 1048576,
    unit: 'bytes',
    ratePerSecond: 64 * 1048576,
    etaSeconds: 24,
    ...over,
  }
}

function line(tty: boolean, args: string[] = []) {
  const out = stream(false)
  const err = stream(tty)
  const command = new Command('zsdr').option('--quiet')
  command.parse(args, { from: 'user' })
  return { bar: ProgressLine.for(command, { stdout: out.writer, stderr: err.writer }), err: err.text }
}

describe('progress', () => {
  it('the text has the phase, a bar, amounts, percent, rate and ETA', () => {
    expect(progressText(progress())).toBe(
      'download [#####...............]  512.0 MiB/2.0 GiB 25%  64.0 MiB/s  ETA 0:24',
    )
    expect(
      progressText(progress({ unit: 'items', done: 3, total: null, ratePerSecond: null, etaSeconds: null })),
    ).toBe('download  3 items')
  })

  it('on a terminal: one line rewritten in place, cut to the width, erased at the end', () => {
    const { bar, err } = line(true)
    bar.update(progress())
    bar.update(progress({ phase: 'verify', done: 2048 * 1048576, etaSeconds: 0 }))
    bar.say('12:00:00 INFO  [fetch] done')
    bar.end()
    const parts = err().split('\r\x1b[K')
    expect(parts.filter(Boolean).length).toBeGreaterThanOrEqual(3)
    expect(parts[1]!.length).toBeLessThanOrEqual(59)
    expect(err()).toContain('12:00:00 INFO  [fetch] done\n')
    expect(err().endsWith('\r\x1b[K')).toBe(true)
  })

  it('not a terminal: plain lines (a phase change or every few seconds), no carriage returns', () => {
    const { bar, err } = line(false)
    bar.update(progress())
    bar.update(progress({ done: 600 * 1048576 }))
    bar.update(progress({ phase: 'verify' }))
    bar.end()
    expect(err().split('\n').filter(Boolean)).toHaveLength(2)
    expect(err().includes('\r') || err().includes('\x1b')).toBe(false)
  })

  it('--quiet: nothing but the lines that must be said', () => {
    const { bar, err } = line(true, ['--quiet'])
    bar.update(progress())
    bar.end()
    expect(err()).toBe('')
    bar.say('refused')
    expect(err()).toBe('refused\n')
  })
})
