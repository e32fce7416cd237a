import type { Catalogue } from './en.js'

export const zhCN: Catalogue = {
  'app.title': 'ZStack DR Desk',
  'app.tagline': 'ZStack 云灾备控制台',
  'app.version': '版本 {{version}}',
  'app.transport.ipc': '桌面窗口',
  'app.transport.web': '本地网页服务',
  'app.transport.cli': '命令行',
  'health.title': '后端状态',
  'health.loading': '正在检查后端…',
  'health.ok': '全部检查通过',
  'health.degraded': '部分检查未通过',
  'health.check.database': '本地数据库',
  'health.failed': '后端无响应：{{message}}',
  'health.retry': '重新检查',
  'health.via': '通过{{transport}}连接，平台 {{platform}}',
  'lang.label': '语言',
  'lang.en': 'English',
  'lang.zh-CN': '简体中文',
}
