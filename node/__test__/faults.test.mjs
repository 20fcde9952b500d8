// The fault matrix from JavaScript (issue #8): every way the network or the service can fail,
// for sends and checks. For each failure: the error `code` (and `serviceCode`, `httpStatus`,
// `delivery`), the promise settles within its configured `timeoutMs` + 10 % (at least
// + SLACK_FLOOR_MS: `deadlineLimit` in helpers.mjs), and the number of requests the emulator saw —
// 0 or 1 for a send (more only when the
// gateway refused the earlier attempts, so they provably never reached the service), and what the
// retry policy allows for a check (5xx are retried for checks only: 3 attempts). The model is
// py/tests/test_faults.py; the expectations are the core's, listed in docs/reliability.md.
//
// Faults come from the emulator's fault injection (`emu.addFault`), on an emulator of this file's
// own, reset before every case.
import assert from 'node:assert/strict'
import http from 'node:http'
import net from 'node:net'
import { after, before, describe, test } from 'node:test'

import { SIGN_NAME, TEMPLATE_CODE, clientFor, deadlineLimit, phone, smsauth, startEmulator } from './helpers.mjs'

const SEND = 'SendSmsVerifyCode'
const CHECK = 'CheckSmsVerifyCode'
// Small deadlines keep the matrix fast: the read timeout fires before the whole-call deadline.
const TIMEOUT_MS = 500
const READ_TIMEOUT_MS = 300
const CONNECT_TIMEOUT_MS = 300

const N = {
  network: 'ERR_SMSAUTH_NETWORK',
  timeout: 'ERR_SMSAUTH_TIMEOUT',
  service: 'ERR_SMSAUTH_SERVICE',
  protocol: 'ERR_SMSAUTH_PROTOCOL',
  throttled: 'ERR_SMSAUTH_THROTTLED',
  authentication: 'ERR_SMSAUTH_AUTHENTICATION',
}

/**
 * One row of the matrix. `requests`: what the emulator must see, [for a send, for a check]
 * (`null`: the row does not apply to that action); `sent`: SMS in the outbox after a send;
 * `minElapsed`: the failure must take at least this long (a deadline really fired).
 */
function row(id, fields) {
  return { id, requests: [1, 1], sent: 0, timeoutMs: TIMEOUT_MS, minElapsed: 0, ...fields }
}

function fiveHundreds(status, plain) {
  if (plain) {
    // A load balancer's text/plain page is not a service answer: not JSON.
    return row(`HTTP ${status} plain text`, {
      fault: { kind: 'server_error', status, plain: true },
      error: N.protocol,
      httpStatus: status,
      delivery: 'unknown',
      requests: [1, 3],
      timeoutMs: 1000,
    })
  }
  return row(`HTTP ${status} JSON`, {
    fault: { kind: 'server_error', status },
    error: N.service,
    serviceCode: status === 500 ? 'InternalError' : 'ServiceUnavailable',
    httpStatus: status,
    delivery: 'answered',
    requests: [1, 3],
    timeoutMs: 1000,
  })
}

const ROWS = [
  row('connect refused', {
    endpoint: 'refused',
    error: N.network,
    delivery: 'not_received',
    requests: [0, 0],
    message: 'nothing was sent',
  }),
  row('DNS failure', { endpoint: 'dns', error: N.network, delivery: 'not_received', requests: [0, 0], message: 'dns' }),
  row('latency beyond the read timeout', {
    fault: { kind: 'latency', ms: 2000 },
    error: N.timeout,
    delivery: 'unknown',
    minElapsed: READ_TIMEOUT_MS * 0.9,
    message: 'timed out',
  }),
  row('connection dropped before the response', { fault: { kind: 'drop' }, error: N.network, delivery: 'unknown', sent: 1 }),
  row('connection dropped during the response', {
    fault: { kind: 'drop_mid_response' },
    error: N.network,
    delivery: 'unknown',
    sent: 1,
  }),
  ...[false, true].flatMap((plain) => [500, 502, 503].map((status) => fiveHundreds(status, plain))),
  row('HTML error page', {
    fault: { kind: 'html' },
    error: N.protocol,
    httpStatus: 502,
    delivery: 'unknown',
    requests: [1, 3],
    timeoutMs: 1000,
    message: '502 Bad Gateway',
  }),
  row('truncated JSON', {
    fault: { kind: 'truncated' },
    error: N.protocol,
    httpStatus: 200,
    delivery: 'unknown',
    sent: 1,
    message: 'not valid Dypnsapi JSON',
  }),
  row('malformed JSON', { fault: { kind: 'malformed' }, error: N.protocol, httpStatus: 200, delivery: 'unknown', sent: 1 }),
  row('50 MB body', {
    fault: { kind: 'oversized', bytes: 50 * 1024 * 1024 },
    error: N.protocol,
    httpStatus: 200,
    delivery: 'unknown',
    sent: 1,
    message: 'larger than 1 MiB',
  }),
  row('slow-drip body', {
    // Every read succeeds within the read timeout (a chunk each 200 ms); only the deadline on the
    // whole call can stop it (the ~200-byte answer would take > 2 s).
    fault: { kind: 'slow_drip', chunkBytes: 16, intervalMs: 200 },
    error: N.timeout,
    delivery: 'unknown',
    sent: 1,
    minElapsed: TIMEOUT_MS * 0.9,
    message: 'deadline',
  }),
  row('gateway throttling, retry-after beyond the policy', {
    fault: { kind: 'throttle', retryAfterMs: 60_000 },
    error: N.throttled,
    serviceCode: 'Throttling.User',
    httpStatus: 400,
    delivery: 'not_received',
    extra: { retryAfterMs: 60_000 },
  }),
  // Within maxRetryAfterMs: waited out and retried — for a send too, since the gateway refused the
  // first attempt (it provably never reached the service).
  row('gateway throttling once, short retry-after', {
    fault: { kind: 'throttle', retryAfterMs: 100, times: 1 },
    requests: [2, 2],
    sent: 1,
    timeoutMs: 1000,
    minElapsed: 100,
  }),
  row('gateway throttling on every attempt', {
    fault: { kind: 'throttle', retryAfterMs: 100 },
    error: N.throttled,
    serviceCode: 'Throttling.User',
    httpStatus: 400,
    delivery: 'not_received',
    requests: [3, 3],
    timeoutMs: 1000,
    minElapsed: 200,
  }),
  row('biz.FREQUENCY', {
    presend: true,
    error: N.throttled,
    serviceCode: 'biz.FREQUENCY',
    httpStatus: 200,
    delivery: 'answered',
    requests: [1, null],
    sent: 1,
  }),
  row('clock skew (InvalidTimeStamp.Expired)', {
    skew: 16 * 60,
    error: N.authentication,
    serviceCode: 'InvalidTimeStamp.Expired',
    httpStatus: 400,
    delivery: 'not_received',
  }),
]

/** A loopback port nobody listens on (bound, then closed). */
async function refusedEndpoint() {
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}`
}

describe('fault matrix', () => {
  let emu
  let refused
  before(async () => {
    emu = startEmulator()
    refused = await refusedEndpoint()
  })
  after(() => emu.close())

  for (const r of ROWS) {
    for (const [index, action] of [SEND, CHECK].entries()) {
      const expectedRequests = r.requests[index]
      if (expectedRequests === null) continue
      test(`${r.id}: ${action === SEND ? 'send' : 'check'}`, async () => {
        emu.reset()
        const to = phone()
        if (r.presend) await clientFor(emu).sendCode(to)
        if (r.skew) emu.advanceClock(r.skew)
        if (r.fault) emu.addFault({ ...r.fault, action })
        const options = { timeoutMs: r.timeoutMs, readTimeoutMs: READ_TIMEOUT_MS, connectTimeoutMs: CONNECT_TIMEOUT_MS }
        if (r.endpoint === 'refused') options.endpoint = refused
        if (r.endpoint === 'dns') options.endpoint = 'http://smsauth-fault-matrix.invalid'
        const client = clientFor(emu, options)
        const startCount = emu.requestCount()

        const started = performance.now()
        let outcome
        try {
          outcome = await (action === SEND ? client.sendCode(to) : client.checkCode(to, '1234'))
        } catch (e) {
          outcome = e
        }
        const elapsed = performance.now() - started
        const requests = emu.requestCount() - startCount

        const bound = deadlineLimit(r.timeoutMs)
        assert.ok(elapsed <= bound, `took ${elapsed.toFixed(0)} ms; deadline ${r.timeoutMs} ms (bound ${bound} ms)`)
        assert.ok(elapsed >= r.minElapsed, `settled after ${elapsed.toFixed(0)} ms, before ${r.minElapsed} ms`)
        if (r.error === undefined) {
          assert.ok(!(outcome instanceof Error), `expected success, got ${outcome?.stack}`)
          assert.equal(outcome.code, 'OK')
        } else {
          assert.ok(outcome instanceof smsauth.SmsAuthError, `expected an SmsAuthError, got ${outcome?.stack ?? JSON.stringify(outcome)}`)
          assert.equal(outcome.code, r.error, outcome.message)
          assert.equal(outcome.serviceCode, r.serviceCode, outcome.message)
          assert.equal(outcome.httpStatus, r.httpStatus, outcome.message)
          assert.equal(outcome.delivery, r.delivery, outcome.message)
          assert.equal(outcome.mayHaveBeenReceived, r.delivery !== 'not_received')
          if (r.message) assert.ok(outcome.message.toLowerCase().includes(r.message.toLowerCase()), outcome.message)
          for (const [name, value] of Object.entries(r.extra ?? {})) assert.equal(outcome[name], value, name)
        }
        assert.equal(requests, expectedRequests, `the emulator saw ${requests} requests`)
        if (action === SEND) assert.equal(emu.messages(to).length, r.sent, 'SMS in the outbox')
      })
    }
  }

  test('a send that timed out is not repeated later in the background', async () => {
    emu.reset()
    emu.addFault({ kind: 'latency', ms: 600, action: SEND })
    const to = phone()
    const startCount = emu.requestCount()
    const e = await clientFor(emu, { timeoutMs: 300, readTimeoutMs: 200 })
      .sendCode(to)
      .catch((err) => err)
    assert.equal(e.code, N.timeout, e.message)
    assert.equal(e.mayHaveBeenReceived, true)
    await new Promise((resolve) => setTimeout(resolve, 800))
    assert.equal(emu.requestCount() - startCount, 1)
    // The emulator drops the delayed answer when the client hangs up, so 0 or 1 SMS.
    assert.ok(emu.messages(to).length <= 1, 'never two SMS')
  })

  // -- nonce replay ------------------------------------------------------------------------------
  // The client draws a fresh nonce for every request and attempt, so a replay cannot be provoked
  // through it; `sign()` can replay one on purpose, and both the emulator and `Verifier` refuse it.

  function post(signed) {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${emu.endpoint}${signed.pathAndQuery}`,
        { method: signed.method, headers: Object.fromEntries(signed.headers), agent: false },
        (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (d) => (body += d))
          res.on('end', () => resolve([res.statusCode, JSON.parse(body)]))
        },
      )
      req.on('error', reject)
      req.end(signed.body)
    })
  }

  for (const version of ['v1', 'v3']) {
    for (const action of [SEND, CHECK]) {
      test(`nonce replay is refused by the emulator (${version}, ${action})`, async () => {
        emu.reset()
        const to = phone()
        const params =
          action === SEND
            ? { PhoneNumber: to, SignName: SIGN_NAME, TemplateCode: TEMPLATE_CODE, TemplateParam: '{"code":"##code##","min":"5"}' }
            : { PhoneNumber: to, VerifyCode: '1234' }
        const signed = smsauth.sign(
          { host: new URL(emu.endpoint).host, action, params },
          { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, signatureVersion: version, nonce: `replayed-${version}-${to}` },
        )
        const startCount = emu.requestCount()
        const [status, body] = await post(signed)
        assert.equal(status, 200, JSON.stringify(body))
        assert.equal(body.Code, 'OK')
        const [replayStatus, replay] = await post(signed)
        assert.equal(replayStatus, 400)
        assert.equal(replay.Code, 'SignatureNonceUsed')
        assert.equal(emu.requestCount() - startCount, 2)
        if (action === SEND) assert.equal(emu.messages(to).length, 1, 'still the original SMS only')
      })
    }
  }

  test('nonce replay is refused by the Verifier', () => {
    const signed = smsauth.sign(
      { host: 'h', action: CHECK, params: { PhoneNumber: '13800138000', VerifyCode: '1234' } },
      { accessKeyId: 'testid', accessKeySecret: 'testsecret', nonce: 'once-only' },
    )
    const verifier = new smsauth.Verifier()
    const request = { method: signed.method, query: signed.query, headers: signed.headers, body: signed.body }
    assert.equal(verifier.verify(request, { testid: 'testsecret' }).nonce, 'once-only')
    assert.throws(
      () => verifier.verify(request, { testid: 'testsecret' }),
      (e) => e.code === N.authentication && e.serviceCode === 'SignatureNonceUsed',
    )
  })

  test('retried attempts and concurrent calls never reuse a nonce', async () => {
    emu.reset()
    emu.addFault({ kind: 'server_error', status: 503, action: CHECK, times: 2 })
    const client = clientFor(emu, { timeoutMs: 2000 })
    const startCount = emu.requestCount()
    assert.equal((await client.checkCode(phone(), '1234')).code, 'OK')
    assert.equal(emu.requestCount() - startCount, 3)
    const all = await Promise.all(Array.from({ length: 64 }, () => client.checkCode(phone(), '1234')))
    assert.ok(all.every((r) => r.code === 'OK'))
    assert.equal(emu.requestCount() - startCount, 3 + 64)
  })
})
