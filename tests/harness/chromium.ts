import { type Browser, chromium } from 'playwright-core'

/** Debian's Chromium, headless, with the flags that keep it off the (closed) network. */
export const CHROMIUM_PATH = process.env.ZSDR_CHROMIUM ?? '/usr/bin/chromium'

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}
