import { createRequire } from 'node:module'

/**
 * An aligned plain-text table, measured in terminal cells (a CJK character or an emoji takes
 * two), fitted to a width by truncating cells with an ellipsis. Cells must already be safe text
 * (see terminal-safe.ts): this module only measures and pads.
 */
export interface TableLayout {
  headers: string[]
  rows: string[][]
  /** Right-aligned columns (numbers, sizes). */
  alignRight?: boolean[]
  /** Columns that give up width first (names, paths); the rest shrink only when these cannot. */
  shrinkFirst?: boolean[]
  /** Terminal width; no limit when absent. */
  maxWidth?: number
  showHeaders?: boolean
}

const GAP = 2
const MIN_CELL = 6
/** Shrink-first columns keep this much before columns are left out. */
const READABLE_CELL = 12
const ELLIPSIS = '…'
/** Made at the first truncation: building it loads ICU's break rules (about 10 ms), which every start paid before (#17). */
let graphemes: Intl.Segmenter | undefined

/**
 * Terminal cells of a text, by string-width. Loaded at the first measurement, not at start-up: its
 * Unicode tables take about 35 ms to load, which `zsdr --help` and most errors would pay for
 * nothing (#17). `require` of an ES module is synchronous (Node ≥ 20.19), so the table stays sync.
 */
let measure: ((text: string) => number) | undefined
function cells(text: string): number {
  measure ??= (createRequire(import.meta.url)('string-width') as typeof import('string-width')).default
  return measure(text)
}

export interface TableText {
  text: string
  /** Headers of the columns left out to fit the width (the rightmost go first). */
  hidden: string[]
}

/**
 * Too wide for `maxWidth`: the shrink-first columns give up width down to a readable size, then
 * columns are left out from the right (at least two stay), then every column is cut.
 */
export function formatTable(t: TableLayout): TableText {
  const showHeaders = t.showHeaders ?? true
  let lines = showHeaders ? [t.headers, ...t.rows] : t.rows
  const widths = t.headers.map((_, i) => Math.max(0, ...lines.map((r) => cells(r[i] ?? ''))))
  const shrinkFirst = t.shrinkFirst ?? []
  let hidden: string[] = []
  if (t.maxWidth !== undefined) {
    const max = t.maxWidth
    narrow(widths, max, (i) => (shrinkFirst[i] ? READABLE_CELL : widths[i]!))
    let keep = widths.length
    while (keep > 2 && total(widths.slice(0, keep)) > max) keep--
    hidden = t.headers.slice(keep)
    widths.length = keep
    lines = lines.map((r) => r.slice(0, keep))
    narrow(widths, max, () => MIN_CELL)
  }
  const text = lines
    .map((r) =>
      widths
        .map((w, i) => pad(truncate(r[i] ?? '', w), w, t.alignRight?.[i] ?? false))
        .join(' '.repeat(GAP))
        .trimEnd(),
    )
    .join('\n')
  return { text, hidden }
}

function total(widths: readonly number[]): number {
  return widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1)
}

/** Takes width from the widest column above its floor, one cell at a time, until the row fits. */
function narrow(widths: number[], maxWidth: number, floor: (i: number) => number): void {
  let excess = total(widths) - maxWidth
  while (excess > 0) {
    let widest = -1
    for (let i = 0; i < widths.length; i++) {
      if (widths[i]! > floor(i) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i
    }
    if (widest < 0) return
    widths[widest]!--
    excess--
  }
}

/** `text` cut to at most `width` cells, ending in an ellipsis when cut; never splits a character. */
export function truncate(text: string, width: number): string {
  if (cells(text) <= width) return text
  let out = ''
  let used = 0
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })
  for (const { segment } of graphemes.segment(text)) {
    const w = cells(segment)
    if (used + w > width - 1) break
    out += segment
    used += w
  }
  return out + ELLIPSIS
}

function pad(text: string, width: number, right: boolean): string {
  const space = ' '.repeat(Math.max(0, width - cells(text)))
  return right ? space + text : text + space
}
