import { z } from 'zod'
import type { Settings } from '../db/settings.js'

/** Where the main window was and whether it was maximized, kept in the `settings` table. */
const SETTINGS_KEY = 'window.main'

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

const windowStateSchema = z.object({
  bounds: z.object({
    x: z.number().int(),
    y: z.number().int(),
    width: z.number().int(),
    height: z.number().int(),
  }),
  maximized: z.boolean(),
})

export type WindowState = z.infer<typeof windowStateSchema>

export const DEFAULT_SIZE = { width: 1280, height: 800 } as const
export const MIN_SIZE = { width: 800, height: 560 } as const
/** How much of the window must lie on a display for the saved position to be reused. */
const MIN_VISIBLE = 64

/** The saved state, or undefined when none was saved or it is unreadable (then the OS places the window). */
export function loadWindowState(settings: Settings): WindowState | undefined {
  let raw: unknown
  try {
    raw = settings.get(SETTINGS_KEY)
  } catch {
    return undefined
  }
  const parsed = windowStateSchema.safeParse(raw)
  return parsed.success ? parsed.data : undefined
}

export function saveWindowState(settings: Settings, state: WindowState): void {
  settings.set(SETTINGS_KEY, windowStateSchema.parse(state))
}

/**
 * Bounds to open the window with: the saved ones when enough of the window shows on a display that
 * exists now (monitors get unplugged between runs), clamped to that display; otherwise only the size,
 * so the OS centers it. Never smaller than the minimum size.
 */
export function placeWindow(saved: WindowState | undefined, workAreas: readonly Rect[]): Partial<Rect> {
  if (!saved) return { ...DEFAULT_SIZE }
  const width = Math.max(saved.bounds.width, MIN_SIZE.width)
  const height = Math.max(saved.bounds.height, MIN_SIZE.height)
  const wanted = { ...saved.bounds, width, height }
  const area = workAreas.find((a) => overlap(wanted, a) >= MIN_VISIBLE * MIN_VISIBLE)
  if (!area) return { width, height }
  const w = Math.min(width, area.width)
  const h = Math.min(height, area.height)
  return {
    width: w,
    height: h,
    x: clamp(wanted.x, area.x, area.x + area.width - w),
    y: clamp(wanted.y, area.y, area.y + area.height - h),
  }
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  return w > 0 && h > 0 ? w * h : 0
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi)
}
