/** Single-quotes a word for a POSIX shell on the host: the only way host paths enter a command line. */
export function sq(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`
}

/** A SQL identifier in backticks. */
export function ident(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``
}
