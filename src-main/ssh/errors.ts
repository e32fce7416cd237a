import { AppError } from '../errors/app-error.js'

/** Turns what ssh2 and the socket layer throw into stable, bilingual AppErrors (no raw text: it may hold a secret). */
export function sshError(e: unknown, label: string): AppError {
  if (e instanceof AppError) return e
  const err = e as { code?: string; level?: string; message?: string }
  const msg = err?.message ?? ''
  if (err?.level === 'client-authentication' || /authentication methods failed/i.test(msg)) {
    return new AppError(
      'ssh.auth_failed',
      {
        en: `${label} refused the login. Check the user name and the password, key or ssh-agent.`,
        zh: `${label} 拒绝登录。请检查用户名以及密码、密钥或 ssh-agent。`,
      },
      { host: label },
    )
  }
  if (err?.level === 'client-timeout' || /timed out/i.test(msg) || err?.code === 'ETIMEDOUT') {
    return new AppError(
      'ssh.timeout',
      {
        en: `${label} did not answer in time. Check the address, the port and any firewall.`,
        zh: `${label} 未及时响应。请检查地址、端口和防火墙。`,
      },
      { host: label },
    )
  }
  if (err?.code === 'ECONNREFUSED') {
    return new AppError(
      'ssh.connection_refused',
      {
        en: `${label} refused the connection: no SSH server is listening on that port.`,
        zh: `${label} 拒绝连接：该端口上没有 SSH 服务在监听。`,
      },
      { host: label },
    )
  }
  if (err?.code === 'ENOTFOUND' || err?.code === 'EAI_AGAIN') {
    return new AppError(
      'ssh.host_not_found',
      { en: `The host name of ${label} could not be resolved.`, zh: `无法解析 ${label} 的主机名。` },
      { host: label },
    )
  }
  return new AppError(
    'ssh.connection_failed',
    {
      en: `The SSH connection to ${label} failed or was dropped.`,
      zh: `与 ${label} 的 SSH 连接失败或已中断。`,
    },
    { host: label, reason: err?.code ?? err?.level ?? 'unknown' },
  )
}

export function noCredentialsError(label: string): AppError {
  return new AppError(
    'ssh.no_credentials',
    {
      en: `No way to log in to ${label}: give a password (--password-stdin or ZSDR_SSH_PASSWORD), an identity file (-i) or run an ssh-agent.`,
      zh: `无法登录 ${label}：请提供密码（--password-stdin 或 ZSDR_SSH_PASSWORD）、身份密钥文件（-i）或运行 ssh-agent。`,
    },
    { host: label },
  )
}

export function keyPassphraseError(file: string, given: boolean): AppError {
  return given
    ? new AppError(
        'ssh.key_passphrase_wrong',
        { en: `The passphrase for the key ${file} is wrong.`, zh: `密钥 ${file} 的口令不正确。` },
        { file },
      )
    : new AppError(
        'ssh.key_passphrase_required',
        {
          en: `The key ${file} is protected by a passphrase: give it (--passphrase-stdin or ZSDR_SSH_KEY_PASSPHRASE) or load the key into ssh-agent.`,
          zh: `密钥 ${file} 受口令保护：请提供口令（--passphrase-stdin 或 ZSDR_SSH_KEY_PASSPHRASE），或将密钥加载到 ssh-agent。`,
        },
        { file },
      )
}

export function keyUnreadableError(file: string): AppError {
  return new AppError(
    'ssh.key_unreadable',
    {
      en: `The identity file ${file} cannot be read or is not a private key (OpenSSH or PEM).`,
      zh: `身份密钥文件 ${file} 无法读取，或不是私钥（OpenSSH 或 PEM 格式）。`,
    },
    { file },
  )
}
