// electron-builder configuration for `npm run dist` (after `electron-vite build`). It downloads
// Electron and the platform tools, so it runs on machines with internet access, not in the tests.
// Option names follow app-builder-lib's Configuration type; tests/unit/shell/packaging.test.ts
// validates this file against electron-builder's own schema.

/** @type {import('app-builder-lib').Configuration} */
const config = {
  appId: 'io.zstack.drdesk',
  productName: 'ZStack DR Desk',
  copyright: 'Copyright © ZStack DR Desk contributors',
  directories: { output: 'dist', buildResources: 'build' },
  // The bundles only; production dependencies (node_modules) are added by electron-builder itself.
  files: ['out/**/*', 'package.json', '!**/*.map'],
  asar: true,
  // Native code cannot load from inside the asar: SQLite, the OS keychain binding, ssh2's crypto.
  asarUnpack: [
    '**/*.node',
    'node_modules/better-sqlite3/build/Release/*.node',
    'node_modules/@napi-rs/keyring*/**/*.node',
    'node_modules/ssh2/lib/protocol/crypto/build/Release/*.node',
    'node_modules/cpu-features/build/Release/*.node',
  ],
  npmRebuild: true,
  publish: null,
  // Every fuse set on purpose (Electron's defaults are for compatibility, not for this app).
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false,
  },
  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
    icon: 'resources/icon.png',
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
  },
  mac: {
    target: [{ target: 'dmg', arch: ['x64', 'arm64'] }],
    icon: 'resources/icon.png',
    category: 'public.app-category.utilities',
    hardenedRuntime: true,
  },
  linux: {
    target: [
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64'] },
    ],
    icon: 'resources/icon.png',
    category: 'Utility',
    executableName: 'zstack-dr-desk',
    maintainer: 'ZStack DR Desk <drdesk@zstack.io>',
    synopsis: 'Desktop console for ZStack Cloud disaster recovery',
  },
}

module.exports = config
