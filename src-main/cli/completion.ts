import type { Argument, Command, Option } from 'commander'

/**
 * Shell completion generated from commander's own command tree: subcommands, options, the
 * values of options and arguments that declare choices (formats, resources, API names), and the
 * saved connections' names for anything called `connection`. Nothing is kept by hand here.
 */
export const completionShells = ['bash', 'zsh', 'fish'] as const
export type CompletionShell = (typeof completionShells)[number]

interface Node {
  path: string
  subcommands: string[]
  options: { flags: string[]; description: string; values: string[] | null; takesValue: boolean }[]
  argumentValues: string[]
}

/** Words that can go into a generated script as they are (a saved name is data, never code). */
const SAFE_WORD = /^[\w.:@/+-]+$/

function walk(command: Command, connections: readonly string[], prefix = ''): Node[] {
  const valuesOf = (name: string, choices: readonly string[] | undefined): string[] =>
    (choices ?? (name === 'connection' ? connections : [])).filter((w) => SAFE_WORD.test(w))
  const node: Node = {
    path: prefix,
    subcommands: command.commands.map((c) => c.name()),
    options: [...command.options, ...globalOptions(command)]
      .filter((o: Option) => !o.hidden)
      .map((o: Option) => ({
        flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
        description: o.description,
        takesValue: o.required || o.optional,
        values: o.required || o.optional ? valuesOf(o.attributeName(), o.argChoices) : null,
      })),
    argumentValues: command.registeredArguments.flatMap((a: Argument) => valuesOf(a.name(), a.argChoices)),
  }
  return [
    node,
    ...command.commands.flatMap((c) => walk(c, connections, prefix ? `${prefix} ${c.name()}` : c.name())),
  ]
}

/** The program's own options apply to every subcommand (but --version only to the program). */
function globalOptions(command: Command): readonly Option[] {
  let root = command
  while (root.parent) root = root.parent
  return root === command ? [] : root.options.filter((o) => o.long !== '--version')
}

export function completionScript(
  program: Command,
  shell: CompletionShell,
  connections: readonly string[],
): string {
  const nodes = walk(program, connections)
  return shell === 'fish' ? fish(program.name(), nodes) : bash(program.name(), nodes, shell === 'zsh')
}

function caseLines(nodes: Node[], words: (n: Node) => string[]): string {
  return nodes.map((n) => `    "${n.path}") echo "${words(n).join(' ')}" ;;`).join('\n')
}

function bash(name: string, nodes: Node[], zsh: boolean): string {
  const fn = `_${name}`
  const valueCases = nodes.flatMap((n) =>
    n.options
      .filter((o) => o.values && o.values.length > 0)
      .map(
        (o) => `    ${o.flags.map((f) => `"${n.path}|${f}"`).join('|')}) echo "${o.values!.join(' ')}" ;;`,
      ),
  )
  return `${zsh ? `#compdef ${name}\nautoload -U +X bashcompinit && bashcompinit\n` : ''}# ${name} completion for ${zsh ? 'zsh' : 'bash'}: eval "$(${name} completion ${zsh ? 'zsh' : 'bash'})"
${fn}_subs() {
  case "$1" in
${caseLines(nodes, (n) => n.subcommands)}
  esac
}
${fn}_opts() {
  case "$1" in
${caseLines(nodes, (n) => n.options.flatMap((o) => o.flags))}
  esac
}
${fn}_args() {
  case "$1" in
${caseLines(nodes, (n) => n.argumentValues)}
  esac
}
${fn}_values() {
  case "$1|$2" in
${valueCases.join('\n')}
  esac
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" w i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case " $(${fn}_subs "$path") " in *" $w "*) path="\${path:+$path }$w" ;; esac
  done
  local values
  values="$(${fn}_values "$path" "$prev")"
  if [[ -n "$values" ]]; then
    COMPREPLY=($(compgen -W "$values" -- "$cur"))
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_opts "$path")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(${fn}_subs "$path") $(${fn}_args "$path")" -- "$cur"))
  fi
}
complete -o default -F ${fn} ${name}
`
}

function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`
}

function fish(name: string, nodes: Node[]): string {
  const fn = `__${name}_path`
  const lines = [
    `# ${name} completion for fish: ${name} completion fish | source`,
    `function ${fn}_subs`,
    '  switch "$argv[1]"',
    ...nodes.map((n) => `    case ${fishQuote(n.path)}\n      echo ${n.subcommands.join(' ')}`),
    '  end',
    'end',
    `function ${fn}`,
    '  set -l path ""',
    '  for w in (commandline -opc)[2..-1]',
    `    if contains -- $w (string split ' ' (${fn}_subs "$path"))`,
    '      set path (string trim "$path $w")',
    '    end',
    '  end',
    '  echo $path',
    'end',
    `function ${fn}_is`,
    `  set -l path (${fn})`,
    '  test "$path" = "$argv[1]"',
    'end',
    `complete -c ${name} -f`,
  ]
  for (const n of nodes) {
    // Command names are plain words: no quoting inside the condition is needed.
    const when = `-n "${fn}_is '${n.path}'"`
    const words = [...n.subcommands, ...n.argumentValues]
    if (words.length > 0) lines.push(`complete -c ${name} ${when} -a ${fishQuote(words.join(' '))}`)
    for (const o of n.options) {
      const flags = o.flags
        .map((f) => (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`))
        .join(' ')
      const value =
        o.values && o.values.length > 0
          ? ` -x -a ${fishQuote(o.values.join(' '))}`
          : o.takesValue
            ? ' -r'
            : ''
      lines.push(`complete -c ${name} ${when} ${flags}${value} -d ${fishQuote(o.description)}`)
    }
  }
  return `${lines.join('\n')}\n`
}
