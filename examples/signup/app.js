// The sign-up API and page: POST /api/send-code, POST /api/check-code, and public/index.html.
// Everything about SMS is in the smsauth `Client` passed in, so the same app runs against the
// real service and against the emulator.
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import express from 'express'
import { ErrorCode, normalizePhone, SmsAuthError } from 'smsauth'

import { prometheusText } from './metrics.js'

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public')

/**
 * The Express app.
 *
 * @param {object} options
 * @param {import('smsauth').Client} options.client a client with a `guard` (abuse limits)
 * @param {(phone: string) => void} [options.onCodeSent] called after each successful send
 * @param {(message: string, detail: object) => void} [options.log] where failures are reported
 */
export function createApp({ client, onCodeSent = () => {}, log = defaultLog }) {
  const app = express()
  app.disable('x-powered-by')
  app.use(express.json({ limit: '2kb' }))
  app.use(express.static(PUBLIC_DIR))

  app.post('/api/send-code', async (req, res) => {
    const raw = field(req, 'phone')
    if (raw === undefined) return fail(res, 400, 'Enter your mobile number.')
    let phone
    try {
      phone = normalizePhone(raw) // `+86 138-0013-8000` → `13800138000`, or ERR_SMSAUTH_INVALID_INPUT
      // The client key feeds the guard's per-client limit: one visitor cannot request codes for
      // many numbers. Behind a proxy, set `app.set('trust proxy', …)` so req.ip is the visitor's.
      await client.sendCode(phone, { clientKey: req.ip })
    } catch (e) {
      return explain(res, e, 'send', log)
    }
    onCodeSent(phone)
    res.json({ sent: true, phone })
  })

  app.post('/api/check-code', async (req, res) => {
    const phone = field(req, 'phone')
    const code = field(req, 'code')
    if (phone === undefined) return fail(res, 400, 'Enter your mobile number first.')
    if (code === undefined) return fail(res, 400, 'Enter the code from the SMS.')
    let result
    try {
      result = await client.checkCode(phone, code)
    } catch (e) {
      return explain(res, e, 'check', log)
    }
    // A wrong, expired or already used code is not an error for smsauth: `passed` is false.
    if (!result.passed) {
      return fail(res, 401, 'That code is wrong or has expired. Check the SMS and try again, or resend the code.')
    }
    // A real app would create the user and its session here.
    res.json({ signedIn: true, phone: normalizePhone(phone) })
  })

  // The client's counters for Prometheus. An example: in production serve this where only your
  // monitoring reaches it (another port, or behind authentication).
  app.get('/metrics', (req, res) => {
    res.type('text/plain; version=0.0.4; charset=utf-8').send(prometheusText(client.stats()))
  })

  app.use('/api', (req, res) => fail(res, 404, `No such API: ${req.method} ${req.originalUrl}`))
  // Malformed JSON bodies and other errors thrown before a handler ran.
  app.use((err, req, res, _next) => {
    const status = err.status >= 400 && err.status < 500 ? err.status : 500
    if (status === 500) log('unexpected error', { error: String(err?.stack ?? err) })
    fail(res, status, status === 500 ? 'Something went wrong on our side. Please try again.' : 'The request could not be read.')
  })
  return app
}

/** A non-empty trimmed string field of the JSON body, or undefined. */
function field(req, name) {
  const value = req.body?.[name]
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

function fail(res, status, message, extra = {}) {
  res.status(status).json({ error: { message, ...extra } })
}

/** Turn a smsauth error into an answer the visitor understands (and log what the operator needs). */
function explain(res, e, action, log) {
  if (!(e instanceof SmsAuthError)) throw e
  const wait = (seconds) => {
    res.set('Retry-After', String(seconds))
    return { retryAfter: seconds }
  }
  switch (e.code) {
    case ErrorCode.INVALID_INPUT:
      if (e.field === 'VerifyCode') return fail(res, 400, 'Enter the code from the SMS (4 to 8 digits).', { field: 'code' })
      if (e.field === 'PhoneNumber') return fail(res, 400, invalidPhone, { field: 'phone' })
      break
    case ErrorCode.GUARD_DENIED: {
      // The abuse guard refused before anything was sent; retryAfter is in whole seconds.
      const s = e.retryAfter ?? 60
      const why = {
        phone: 'A code was just sent to this number.',
        client: 'Too many codes were requested from your network.',
        check: 'Too many wrong codes for this number.',
      }[e.guardRule?.split(':')[0]] ?? 'We are sending too many codes right now.'
      return fail(res, 429, `${why} Try again in ${s} s.`, { rule: e.guardRule, ...wait(s) })
    }
    case ErrorCode.THROTTLED: {
      // biz.FREQUENCY: the service itself refused (e.g. another server of ours sent a code to this
      // number within the Interval, 60 s by default). isv.BUSINESS_LIMIT_CONTROL: the service's
      // flow control (1 a minute, 5 an hour, 10 a day per number and signature) or daily total.
      if (e.serviceCode?.includes('BUSINESS_LIMIT_CONTROL')) {
        return fail(res, 429, 'This number has received too many codes. Try again later.')
      }
      const s = e.retryAfterMs ? Math.ceil(e.retryAfterMs / 1000) : 60
      return fail(res, 429, `A code was sent to this number less than a minute ago. Try again in ${s} s.`, wait(s))
    }
    case ErrorCode.SERVICE:
      if (e.serviceCode?.includes('MOBILE_NUMBER_ILLEGAL')) return fail(res, 400, invalidPhone, { field: 'phone' })
      break
    case ErrorCode.NETWORK:
    case ErrorCode.TIMEOUT:
      log(`${action} failed`, details(e))
      return fail(res, 503, 'The SMS service cannot be reached right now. Try again in a moment.')
  }
  // Credentials, signature, template or sign-name problems: the operator's to fix, not the visitor's.
  log(`${action} failed`, details(e))
  return fail(res, 502, 'We could not send or check codes right now. Please try again later.')
}

const invalidPhone = 'That is not a mainland China mobile number: use 11 digits starting with 1, e.g. 138 0013 8000.'

/** What support needs (the library never puts secrets in these). */
function details(e) {
  return { code: e.code, serviceCode: e.serviceCode, requestId: e.requestId, message: e.message }
}

function defaultLog(message, detail) {
  console.error(`[signup] ${message}:`, JSON.stringify(detail))
}
