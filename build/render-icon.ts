import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { launchChromium } from '../tests/harness/chromium.js'

/**
 * Renders resources/icon.svg (the source of the logo) to resources/icon.png, 512×512 with a
 * transparent background, using Debian's Chromium. Run after editing the SVG:
 * `npx tsx build/render-icon.ts`. electron-builder derives the .ico/.icns from the PNG.
 */
const resources = join(import.meta.dirname, '../resources')
const SIZE = 512

const svg = readFileSync(join(resources, 'icon.svg'), 'utf8')
const browser = await launchChromium()
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 })
  await page.setContent(
    `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', '<svg style="display:block" ')}</body></html>`,
  )
  const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: SIZE, height: SIZE } })
  writeFileSync(join(resources, 'icon.png'), png)
  console.log(`resources/icon.png: ${png.length} bytes`)
} finally {
  await browser.close()
}
