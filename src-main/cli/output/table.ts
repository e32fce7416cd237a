import stringWidth from 'string-width'

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
const ELLIPSIS = '…'
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

export function formatTable(t: TableLayout): string {
  const showHeaders = t.showHeaders ?? true
  const lines = showHeaders ? [t.headers, ...t.rows] : t.rows
  const widths = t.headers.map((_, i) => Math.max(0, ...lines.map((r) => stringWidth(r[i] ?? ''))))
  if (t.maxWidth !== undefined) narrowToFit(widths, t.maxWidth, t.shrinkFirst ?? [])
  return lines
    .map((r) =>
      widths
        .map((w, i) => pad(truncate(r[i] ?? '', w), w, t.alignRight?.[i] ?? false))
        .join(' '.repeat(GAP))
        .trimEnd(),
    )
    .join('\n')
}

/** Narrows `widths` in place until the row fits: the widest shrink-first column first, then any column. */
function narrowToFit(widths: number[], maxWidth: number, shrinkFirst: boolean[]): void {
  let excess = widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1) - maxWidth
  for (const eligible of [(i: number) => shrinkFirst[i] === true, () => true]) {
    while (excess > 0) {
      let widest = -1
      for (let i = 0; i < widths.length; i++) {
        if (eligible(i) && widths[i]! > MIN_CELL && (widest < 0 || widths[i]! > widths[widest]!)) widest = i
      }
      if (widest < 0) break
      widths[widest]!--
      excess--
    }
  }
}

/** `text` cut to at most `width` cells, ending in an ellipsis when cut; never splits a character. */
export function truncate(text: string, width: number): string {
  if (stringWidth(text) <= width) return text
  let out = ''
  let used = 0
  for (const { segment } of segmenter.segment(text)) {
    const w = stringWidth(segment)
    if (used + w > width - 1) break
    out += segment
    used += w
  }
  return out + ELLIPSIS
}

function pad(text: string, width: number, right: boolean): string {
  const space = ' '.repeat(Math.max(0, width - stringWidth(text)))
  return right ? space + text : text + space
}
