/** IPC channel names shared by the preload and the main process (this file imports nothing). */
export const INVOKE_CHANNEL = 'zsdr:invoke'
export const EVENT_CHANNEL = 'zsdr:event'
