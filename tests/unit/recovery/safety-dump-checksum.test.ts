import { describe, expect, it } from 'vitest'
import { hostChecksum } from '../../../src-main/recovery/restore/safety-dump.js'

const sum = 'ab'.repeat(32)

describe("the host's checksum of its safety dump, read from the end of stderr", () => {
  it('takes the last line when it is exactly the mark and sha256sum output', () => {
    expect(hostChecksum(`zsdr-safety-dump-sha256 ${sum}  /var/lib/zstack/mysql-backup/x.gz\n`)).toBe(sum)
    const warnings = 'mysqldump: [Warning] Using a password on the command line interface can be insecure.\n'
    expect(hostChecksum(`${warnings}zsdr-safety-dump-sha256 ${sum}  /tmp/x.gz\n`)).toBe(sum)
  })

  it.each([
    ['no checksum line (sha256sum failed)', 'zsdr-safety-dump-sha256 \n'],
    ['a checksum followed by more output', `zsdr-safety-dump-sha256 ${sum}  /x.gz\nmore\n`],
    ['a short checksum', `zsdr-safety-dump-sha256 ${sum.slice(2)}  /x.gz\n`],
    ['upper-case hex', `zsdr-safety-dump-sha256 ${sum.toUpperCase()}  /x.gz\n`],
    ['text before the mark', `x zsdr-safety-dump-sha256 ${sum}  /x.gz\n`],
    ['nothing at all', ''],
  ])('finds none in %s', (_what, tail) => {
    expect(hostChecksum(tail)).toBeNull()
  })
})
