/**
 * Delivers a finished job to its X-Web-Hook URL: POST of the body a poll would return, with
 * `X-Job-UUID` and `X-Job-Success` (RestServer.callWebHook, 3.0.0). A non-2xx answer or an I/O
 * error is retried: `@RetryCondition(times = 15, interval = 2)`, 15 attempts in all, 2 s apart
 * (spec README, Retry.java). The 10 s time limit of an attempt is OkHttp's default (guess: the
 * node's client is `new OkHttpClient()` with no timeouts set).
 */
export interface WebhookOptions {
  attempts: number
  intervalMs: number
}

export interface WebhookAttempt {
  jobUuid: string
  url: string
  attempt: number
  outcome: number | 'io-error'
}

export class WebhookSender {
  readonly attempts: WebhookAttempt[] = []
  private closed = false

  constructor(private readonly options: WebhookOptions) {}

  async deliver(url: string, jobUuid: string, success: boolean, body: string): Promise<boolean> {
    for (let attempt = 1; attempt <= this.options.attempts && !this.closed; attempt++) {
      const outcome = await post(url, jobUuid, success, body)
      this.attempts.push({ jobUuid, url, attempt, outcome })
      if (typeof outcome === 'number' && outcome >= 200 && outcome < 300) return true
      if (attempt < this.options.attempts)
        await new Promise((r) => setTimeout(r, this.options.intervalMs).unref())
    }
    return false
  }

  close(): void {
    this.closed = true
  }
}

async function post(
  url: string,
  jobUuid: string,
  success: boolean,
  body: string,
): Promise<number | 'io-error'> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-job-uuid': jobUuid,
        'x-job-success': String(success),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    })
    await res.arrayBuffer()
    return res.status
  } catch {
    return 'io-error'
  }
}
