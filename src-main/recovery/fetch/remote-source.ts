import { AppError } from '../../errors/app-error.js'
import type { RemoteHost } from '../../ssh/remote-host.js'
import { zstcliCommand, zstcliFailure } from '../scan/image-store.js'
import { type ImageStoreSettings, shellQuote } from '../scan/types.js'
import type { SftpChannels } from './sftp-download.js'

/** A file on the host ready to be copied, and what to remove from the host afterwards. */
export interface RemoteSource {
  path: string
  /** Metadata file beside it (`zsdb.imf2` for image-store backups). */
  metadataPath: string | null
  /** Temporary folder this fetch created on the host; removed when done. */
  tempDir: string | null
}

/** `zstore://zsbak/<id>` → `<id>` */
export function imageIdOf(location: string): string {
  const id = /^zstore:\/\/zsbak\/([0-9a-zA-Z]+)$/.exec(location)?.[1]
  if (!id) {
    throw new AppError(
      'fetch.bad_location',
      { en: `Not an image-store backup address: ${location}`, zh: `不是镜像仓库备份地址：${location}` },
      { location },
    )
  }
  return id
}

/**
 * Has zstcli export an image-store backup to a fresh temp folder on the host, as zstack-ctl
 * does (`pull -installpath <tmp>/zsdb zsbak:<id>`), giving `zsdb` and its `zsdb.imf2`.
 */
export async function pullImageBackup(
  host: RemoteHost,
  settings: ImageStoreSettings,
  location: string,
  signal?: AbortSignal,
): Promise<RemoteSource> {
  const id = imageIdOf(location)
  const mk = await host.run('mktemp -d /tmp/zsdr-fetch.XXXXXXXX', signal ? { signal } : {})
  const tempDir = mk.stdout.trim()
  if (mk.code !== 0 || !tempDir.startsWith('/tmp/zsdr-fetch.')) {
    throw new AppError(
      'fetch.remote_tmp_failed',
      {
        en: `Could not create a temporary folder in /tmp on ${host.label}.`,
        zh: `无法在 ${host.label} 的 /tmp 中创建临时目录。`,
      },
      { host: host.label },
    )
  }
  const path = `${tempDir}/zsdb`
  const pull = await host.run(
    zstcliCommand(settings, `pull -installpath ${shellQuote(path)} zsbak:${id}`),
    signal ? { signal } : {},
  )
  if (pull.code !== 0) {
    await removeRemoteTemp(host, tempDir)
    throw await zstcliFailure(host, settings, pull.code, pull.stderr)
  }
  return { path, metadataPath: `${path}.imf2`, tempDir }
}

/** Removes a temp folder this app created (only ever one of ours: the name is checked). */
export async function removeRemoteTemp(host: RemoteHost, tempDir: string): Promise<boolean> {
  if (!/^\/tmp\/zsdr-fetch\.[A-Za-z0-9]+$/.test(tempDir)) return false
  const r = await host.run(`rm -rf ${shellQuote(tempDir)}`).catch(() => null)
  return r?.code === 0
}

/**
 * Whether `path` is a regular file the login can see (as `test -f`), asked over the SFTP channel the
 * copy then uses: the channel opens with the check instead of after it, and no second channel is
 * needed at the same time (hosts may allow one per connection: sshd's MaxSessions).
 */
export async function remoteFileExists(host: Pick<SftpChannels, 'sftp'>, path: string): Promise<boolean> {
  const sftp = await host.sftp()
  return new Promise((resolve, reject) =>
    sftp.stat(path, (err, stats) => {
      // An SFTP status (no such file, permission denied) answers the question; anything else does not.
      if (err) return typeof (err as { code?: unknown }).code === 'number' ? resolve(false) : reject(err)
      resolve(stats.isFile())
    }),
  )
}
