import { z } from 'zod'
import { AppError } from '../../errors/app-error.js'
import { redact } from '../../errors/redact.js'
import type { RemoteHost } from '../../ssh/remote-host.js'
import { type FoundBackup, type ImageStoreSettings, shellQuote, ZSTORE_START_COMMAND } from './types.js'

/** One entry of `zstcli -json images` (spec digest); `desc` is itself JSON. */
const imageSchema = z.looseObject({
  id: z.string().regex(/^[0-9a-zA-Z]+$/),
  name: z.string(),
  created: z.string().optional(),
  desc: z.string().optional(),
  size: z.number().optional(),
})

const descSchema = z.looseObject({
  name: z.string().optional(),
  version: z.string().optional(),
  createdTime: z.union([z.string(), z.number()]).optional(),
})

/** `zstcli ... -url localhost:<port>` as zstack-ctl runs it, with the configured paths. */
export function zstcliCommand(s: ImageStoreSettings, command: string): string {
  return `${shellQuote(s.zstcli)} -json -rootca ${shellQuote(s.rootCa)} -url localhost:${s.registryPort} ${command}`
}

/**
 * The database backups held by the image store on `host`: what the management node's
 * GetDatabaseBackupFromImageStore would answer, obtained directly over SSH.
 */
export async function listImageStoreBackups(
  host: RemoteHost,
  settings: ImageStoreSettings,
  signal?: AbortSignal,
): Promise<FoundBackup[]> {
  const r = await host.run(zstcliCommand(settings, 'images -name zsbak'), signal ? { signal } : {})
  if (r.code !== 0) throw await zstcliFailure(host, settings, r.code, r.stderr)
  let images: z.infer<typeof imageSchema>[]
  try {
    images = z.array(imageSchema).parse(JSON.parse(r.stdout.trim() || '[]'))
  } catch {
    throw new AppError(
      'scan.zstcli_bad_output',
      {
        en: `zstcli on ${host.label} answered something that is not its JSON image list.`,
        zh: `${host.label} 上的 zstcli 返回的不是 JSON 镜像列表。`,
      },
      { host: host.label },
    )
  }
  return images.filter((img) => img.name === 'zsbak').map(toBackup)
}

function toBackup(img: z.infer<typeof imageSchema>): FoundBackup {
  const desc = parseDesc(img.desc)
  return {
    kind: 'image-store',
    location: `zstore://zsbak/${img.id}`,
    name: desc.name ?? `zsbak-${img.id.slice(0, 12)}`,
    zstackVersion: desc.version ?? null,
    createdAt: desc.createdTime !== undefined ? String(desc.createdTime) : (img.created ?? null),
    size: img.size ?? null,
  }
}

/** `desc` is free text that ZStack fills with JSON; anything else just means "no metadata". */
export function parseDesc(desc: string | undefined): z.infer<typeof descSchema> {
  if (!desc) return {}
  try {
    return descSchema.parse(JSON.parse(desc))
  } catch {
    return {}
  }
}

/** Why zstcli failed, in the user's terms: not installed, zstore down (with the start command), or its own error. */
export async function zstcliFailure(
  host: RemoteHost,
  settings: ImageStoreSettings,
  code: number | null,
  stderr: string,
): Promise<AppError> {
  if (code === 127 || code === 126) {
    return new AppError(
      'scan.zstcli_missing',
      {
        en: `${host.label} has no image-store client at ${settings.zstcli}: it is not an image store, or zstcli is elsewhere (set its path).`,
        zh: `${host.label} 上 ${settings.zstcli} 处没有镜像仓库客户端：该主机不是镜像仓库，或 zstcli 在其他位置（请设置路径）。`,
      },
      { host: host.label, zstcli: settings.zstcli },
    )
  }
  const running = await host.run(
    `grep -qx zstore /proc/[0-9]*/comm 2>/dev/null && echo running || echo stopped`,
  )
  if (running.stdout.trim() === 'stopped') {
    return new AppError(
      'scan.zstore_not_running',
      {
        en: `The image-store server zstore is not running on ${host.label}, so its backups cannot be listed. Start it on the host (as zstack-ctl does): ${ZSTORE_START_COMMAND}`,
        zh: `${host.label} 上的镜像仓库服务 zstore 未运行，无法列出其备份。请在该主机上启动（与 zstack-ctl 相同）：${ZSTORE_START_COMMAND}`,
      },
      { host: host.label, startCommand: ZSTORE_START_COMMAND },
    )
  }
  return new AppError(
    'scan.zstcli_failed',
    {
      en: `zstcli failed on ${host.label}: ${redact(firstLine(stderr))}`,
      zh: `${host.label} 上的 zstcli 执行失败：${redact(firstLine(stderr))}`,
    },
    { host: host.label, exitCode: code },
  )
}

function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').slice(0, 300) || '(no message)'
}
