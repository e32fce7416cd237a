import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * Static security scan of the built Electron main process and preload with @doyensec/electronegativity.
 * Usable from the vitest gate (electronegativity.test.ts) and alone: `npx tsx tests/security/electronegativity.ts`.
 */

const PROJECT_ROOT = resolve(import.meta.dirname, '../..')

/** The one check that downloads Electron release data from the internet; the tests stay offline. */
export const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck']

export interface Finding {
  id: string
  severity: string
  severityValue: number
  confidence: string
  file: string
  line: number
  column: number
  description: string
  /** The source line the finding points at (empty for project-wide findings). */
  sample: string
  manualReview: boolean
}

export interface ScanResult {
  findings: Finding[]
  /** Files the tool could not parse: a file it cannot read is a file it did not check. */
  parseErrors: { file: string; message: string }[]
  globalChecks: number
  atomicChecks: number
  scannedFiles: string[]
}

/** Severity values used by electronegativity (finder/attributes.js): INFORMATIONAL 0 … HIGH 3. */
export const LOW = 1

interface RawIssue {
  id: string
  file: string
  location: { line: number; column: number }
  description: string
  sample?: string
  severity: { value: number; name: string }
  confidence: { name: string }
  manualReview: boolean
}

interface RawResult {
  globalChecks: number
  atomicChecks: number
  errors: { file: string; message: string; tolerable: boolean }[]
  issues: RawIssue[]
}

type Runner = (options: Record<string, unknown>) => Promise<RawResult>

/** Builds the app (electron-vite) unless the main and preload bundles are already there. */
export function ensureBuilt(root = PROJECT_ROOT): void {
  if (existsSync(join(root, 'out/main/index.js')) && existsSync(join(root, 'out/preload/preload.cjs'))) return
  execFileSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
  })
}

/**
 * Copies what ships into a scan folder. The tool only reads .js/.html/package.json, so the
 * preload (.cjs) is copied as .js: otherwise it would be skipped without a word.
 */
export function stageScanInput(root: string, into: string): string[] {
  const files: [string, string][] = [
    ['out/main/index.js', 'out/main/index.js'],
    ['out/preload/preload.cjs', 'out/preload/preload.js'],
    ['package.json', 'package.json'],
    ['out/renderer/index.html', 'out/renderer/index.html'],
  ]
  const staged: string[] = []
  for (const [from, to] of files) {
    if (!existsSync(join(root, from))) continue
    mkdirSync(dirname(join(into, to)), { recursive: true })
    copyFileSync(join(root, from), join(into, to))
    staged.push(to)
  }
  return staged
}

export async function scanBuild(options: { root?: string; sarifFile?: string } = {}): Promise<ScanResult> {
  const root = options.root ?? PROJECT_ROOT
  const input = mkdtempSync(join(tmpdir(), 'zsdr-eng-'))
  try {
    const scannedFiles = stageScanInput(root, input)
    const raw = await loadRunner()({
      input,
      excludeFromScan: EXCLUDED_CHECKS,
      isRelative: true,
      ...(options.sarifFile ? { output: options.sarifFile, isSarif: true } : {}),
    })
    return {
      findings: raw.issues.map((i) => ({
        id: i.id,
        severity: i.severity.name,
        severityValue: i.severity.value,
        confidence: i.confidence.name,
        file: i.file,
        line: i.location.line,
        column: i.location.column,
        description: i.description,
        sample: (i.sample ?? '').trim(),
        manualReview: i.manualReview,
      })),
      parseErrors: raw.errors.filter((e) => !e.tolerable).map(({ file, message }) => ({ file, message })),
      globalChecks: raw.globalChecks,
      atomicChecks: raw.atomicChecks,
      scannedFiles,
    }
  } finally {
    rmSync(input, { recursive: true, force: true })
  }
}

/**
 * Loads the tool's runner with its locale loader replaced: the stock one downloads translations
 * from S3 on every run. The replacement sets up the bundled English strings only.
 */
function loadRunner(): Runner {
  const require = createRequire(join(PROJECT_ROOT, 'package.json'))
  const runnerPath = require.resolve('@doyensec/electronegativity')
  const toolRequire = createRequire(runnerPath)
  const i18nPath = toolRequire.resolve('./locales/i18n.js')
  const i18n = toolRequire('i18n') as { configure(o: object): void; setLocale(l: string): void }
  const offlineLocales = async () => {
    i18n.configure({
      locales: ['en-US'],
      defaultLocale: 'en-US',
      directory: dirname(i18nPath),
      updateFiles: false,
      objectNotation: true,
      retryInDefaultLocale: true,
      register: globalThis,
    })
    i18n.setLocale('en-US')
  }
  const cached = require.cache[i18nPath]
  if (cached) cached.exports = offlineLocales
  else {
    toolRequire(i18nPath)
    const loaded = require.cache[i18nPath]
    if (!loaded) throw new Error('cannot stub the electronegativity locale loader')
    loaded.exports = offlineLocales
  }
  return toolRequire(runnerPath) as Runner
}

export function formatFinding(f: Finding): string {
  return `${f.severity}/${f.confidence} ${f.id} ${f.file}:${f.line}:${f.column} ${f.description}`
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureBuilt()
  const result = await scanBuild({ sarifFile: join(PROJECT_ROOT, 'test-artifacts/electronegativity.sarif') })
  for (const f of result.findings) console.log(formatFinding(f))
  for (const e of result.parseErrors) console.log(`PARSE ERROR ${e.file}: ${e.message}`)
  const blocking = result.findings.filter((f) => f.severityValue > LOW)
  console.log(
    `${result.findings.length} findings, ${blocking.length} above LOW, files: ${result.scannedFiles.join(', ')}`,
  )
  process.exitCode = blocking.length > 0 || result.parseErrors.length > 0 ? 1 : 0
}
