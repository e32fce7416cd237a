/**
 * A service whose module is imported, and the service built, on the first call that needs it:
 * one command runs per CLI process, so what it does not use should cost it nothing at start-up
 * (#17). A failed load is not remembered: the next call tries again.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined
  return () => {
    loaded ??= load().catch((e: unknown) => {
      loaded = undefined
      throw e
    })
    return loaded
  }
}
