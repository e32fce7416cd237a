import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/** electron-builder cannot run here (it downloads Electron); its configuration is checked offline instead. */
const root = join(import.meta.dirname, '../../..')
const require = createRequire(join(root, 'package.json'))
interface PlatformConfig {
  target: { target: string }[]
  icon: string
}
/** The parts of app-builder-lib's Configuration these tests read. */
interface BuilderConfig {
  appId: string
  asar: boolean
  files: string[]
  asarUnpack: string[]
  publish: null
  electronFuses: Record<string, boolean>
  win: PlatformConfig
  mac: PlatformConfig
  linux: PlatformConfig
}
const config = require('./build/electron-builder.config.cjs') as BuilderConfig
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, debug: { isEnabled: boolean; add(): void }): Promise<void>
}
const { FuseV1Options } = require('@electron/fuses') as { FuseV1Options: Record<string, string | number> }

const quiet = { isEnabled: false, add() {} }

describe('electron-builder configuration', () => {
  it("passes electron-builder's own schema, which rejects misspelt options", async () => {
    await expect(validateConfiguration(config, quiet)).resolves.toBeUndefined()
    await expect(
      validateConfiguration(
        { ...config, electronFuses: { ...config.electronFuses, runAsnode: false } },
        quiet,
      ),
    ).rejects.toThrow(/does not match the API schema/)
  })

  it('sets every Electron fuse explicitly, to the hardened value', () => {
    const allFuses = Object.keys(FuseV1Options)
      .filter((k) => Number.isNaN(Number(k)))
      .map((name) => name[0]!.toLowerCase() + name.slice(1))
    expect(Object.keys(config.electronFuses).sort()).toEqual(allFuses.sort())
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    })
  })

  it('packs the built app into an asar with native modules unpacked, for NSIS, DMG, AppImage and deb', () => {
    expect(config.appId).toBe('io.zstack.drdesk')
    expect(config.asar).toBe(true)
    expect(config.files).toContain('out/**/*')
    expect(config.asarUnpack).toContain('**/*.node')
    const targets = (platform: 'win' | 'mac' | 'linux') => config[platform].target.map((t) => t.target)
    expect(targets('win')).toEqual(['nsis'])
    expect(targets('mac')).toEqual(['dmg'])
    expect(targets('linux')).toEqual(['AppImage', 'deb'])
    expect(config.publish).toBeNull()
  })

  it('uses a 512×512 PNG icon from resources/ rendered from the committed SVG', () => {
    for (const platform of ['win', 'mac', 'linux'] as const)
      expect(config[platform].icon).toBe('resources/icon.png')
    const png = readFileSync(join(root, 'resources/icon.png'))
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    expect(png.toString('ascii', 12, 16)).toBe('IHDR')
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512])
    expect(readFileSync(join(root, 'resources/icon.svg'), 'utf8')).toMatch(/^<svg [^>]*viewBox="0 0 512 512"/)
  })
})
