import type { OverviewExport } from '../../../../src-main/api/contract/index.js'

/** Hands a report to the browser as a file download (the window's and the web host's save dialog). */
export function download(file: OverviewExport): void {
  const url = URL.createObjectURL(new Blob([file.text], { type: `${file.mimeType};charset=utf-8` }))
  const a = document.createElement('a')
  a.href = url
  a.download = file.fileName
  a.click()
  // The click has started the download; the object URL is not needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0)
}
