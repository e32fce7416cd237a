import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AppError } from '../errors/app-error.js'

/** The project root when running from source (the CLI and web host run through tsx). */
export const projectRoot = fileURLToPath(new URL('../../', import.meta.url))
export const rendererOutDir = join(projectRoot, 'out', 'renderer')

/** True when out/renderer is missing or older than any file under src-renderer. */
export function rendererBuildStale(): boolean {
  const built = mtime(join(rendererOutDir, 'index.html'))
  return built === 0 || newestMtime(join(projectRoot, 'src-renderer')) > built
}

/** Runs `electron-vite build` (renderer, main and preload), for `zsdr serve --build-if-needed`. */
export function buildRenderer(log: (line: string) => void): void {
  log('building the app (electron-vite build)…')
  const result = spawnSync(join(projectRoot, 'node_modules', '.bin', 'electron-vite'), ['build'], {
    cwd: projectRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  })
  if (result.status !== 0) {
    throw new AppError('host.build_failed', {
      en: `Building the renderer failed: ${lastLine(result.stderr)}`,
      zh: `构建界面失败：${lastLine(result.stderr)}`,
    })
  }
}

function lastLine(text: string | null): string {
  return (text ?? '').trim().split('\n').at(-1) ?? ''
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return 0
  }
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, mtime(join(entry.parentPath, entry.name)))
  }
  return newest
}
