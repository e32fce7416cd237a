/**
 * English texts: the source of every message key. zh-CN must define exactly the same keys
 * (checked by the type of its catalogue and by a test). Interpolation uses i18next's {{name}}.
 */
export const en = {
  'app.title': 'ZStack DR Desk',
  'app.tagline': 'Disaster recovery console for ZStack Cloud',
  'app.version': 'Version {{version}}',
  'app.transport.ipc': 'desktop window',
  'app.transport.web': 'local web host',
  'app.transport.cli': 'command line',
  'health.title': 'Backend health',
  'health.loading': 'Checking the backend…',
  'health.ok': 'All checks passed',
  'health.degraded': 'Some checks failed',
  'health.check.database': 'Local database',
  'health.failed': 'The backend did not answer: {{message}}',
  'health.retry': 'Check again',
  'health.via': 'Connected through the {{transport}} on {{platform}}',
  'lang.label': 'Language',
  'lang.en': 'English',
  'lang.zh-CN': '简体中文',
} as const

export type MessageKey = keyof typeof en
export type Catalogue = Record<MessageKey, string>
