import { describe, expect, it } from 'vitest'
import { AppError } from '../../../src-main/errors/app-error.js'
import { parseProbes, runProbes } from '../../../src-main/recovery/restore/host-probes.js'
import { sq } from '../../../src-main/recovery/restore/shell.js'
import { LocalHost } from '../../../src-main/ssh/local-host.js'
import type { RemoteHost } from '../../../src-main/ssh/remote-host.js'

const names = ['host_name', 'tools', 'disk'] as const

describe('host probes: several checks in one command, read strictly', () => {
  it('runs every probe in one shell and keeps each output, exit status and empty output apart', async () => {
    // A POSIX sh (dash on Debian), as a login shell on the host may be: no bash-isms in the script.
    const commands: string[] = []
    const local = new LocalHost()
    const host: RemoteHost = {
      label: local.label,
      hostKeyFingerprint: null,
      exec: (command, options) => local.exec(`sh -c ${sq(command)}`, options),
      run: (command, options) => {
        commands.push(command)
        return local.run(`sh -c ${sq(command)}`, options)
      },
      close: () => local.close(),
    }
    const got = await runProbes(host, {
      first: "printf 'a\\n=first 0\\n|b\\n\\n'",
      second: 'false',
      third: 'read x; echo "stdin:$x"; echo err >&2',
      fourth: 'echo out; echo err >&2; exit 3',
    })
    expect(commands).toHaveLength(1)
    // A probe cannot fake a header or a line of another probe; trailing newlines go, as with $(...).
    expect(got.first).toEqual({ code: 0, stdout: 'a\n=first 0\n|b' })
    expect(got.second).toEqual({ code: 1, stdout: '' })
    // No probe reads the channel's stdin, and stderr is dropped.
    expect(got.third).toEqual({ code: 0, stdout: 'stdin:' })
    expect(got.fourth).toEqual({ code: 3, stdout: 'out' })
  })

  it('parses the framed answer', () => {
    const answer = '=host_name 0\n|node-1\n=tools 0\n=disk 0\n|/dev/sda1 100 50 50 50% /\n'
    expect(parseProbes(answer, names, 'h')).toEqual({
      host_name: { code: 0, stdout: 'node-1' },
      tools: { code: 0, stdout: '' },
      disk: { code: 0, stdout: '/dev/sda1 100 50 50 50% /' },
    })
  })

  it.each([
    ['a login banner before the answer', 'Welcome!\n=host_name 0\n=tools 0\n=disk 0\n'],
    ['a probe missing', '=host_name 0\n=disk 0\n'],
    ['probes out of order', '=tools 0\n=host_name 0\n=disk 0\n'],
    ['an answer cut short', '=host_name 0\n|node-1\n'],
    ['an empty answer', ''],
    ['a probe named twice', '=host_name 0\n=host_name 0\n=tools 0\n=disk 0\n'],
    ['an unframed line', '=host_name 0\nnode-1\n=tools 0\n=disk 0\n'],
    ['a status that is not a number', '=host_name x\n=tools 0\n=disk 0\n'],
    ['an extra probe at the end', '=host_name 0\n=tools 0\n=disk 0\n=more 0\n'],
  ])('refuses %s', (_what, answer) => {
    let error: unknown
    try {
      parseProbes(answer, names, 'root@node')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('restore.host_answer_unreadable')
    expect((error as AppError).text.en).toContain('root@node')
  })
})
