// Observability (issue #21): the `node:diagnostics_channel` events of real calls against the
// emulator, `NODE_DEBUG=smsauth` lines, and `client.stats()`. No event may hold a secret, a full
// phone number or a code.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import diagnostics from 'node:diagnostics_channel'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'

import { clientFor, phone, rejection, smsauth, startEmulator } from './helpers.mjs'

const NAMES = ['smsauth:call:start', 'smsauth:call:end', 'smsauth:call:error']
/** Long codes, so that a code cannot appear by chance in another field. */
const EIGHT = { codeLength: 8 }

/** Run `fn` with every channel subscribed; return `[channel, snapshot of the message]` pairs. */
async function capture(fn) {
  const seen = []
  const handlers = NAMES.map((name) => {
    // A snapshot: `start` and `end` publish the same object, filled in as the call goes.
    const handler = (message) => seen.push([name, { ...message }])
    diagnostics.subscribe(name, handler)
    return [name, handler]
  })
  try {
    await fn()
  } finally {
    for (const [name, handler] of handlers) diagnostics.unsubscribe(name, handler)
  }
  return seen
}

/**
 * No text in the events may contain any of `secrets` (numbers are left out: a short code could
 * appear in an elapsed time by chance; the codes here are 8 digits for the same reason).
 */
function assertClean(seen, secrets) {
  const text = JSON.stringify(seen, (key, value) => {
    if (typeof value === 'number') return undefined
    return value instanceof Error ? { message: value.message, ...value } : value
  })
  for (const secret of secrets) assert.ok(!text.includes(secret), `an event contains ${secret}: ${text}`)
}

describe('diagnostics_channel events', () => {
  let emu
  before(() => {
    emu = startEmulator()
  })
  after(() => emu.close())

  test('the channels are exported under their names', () => {
    assert.deepEqual(
      Object.values(smsauth.channels).map((c) => c.name),
      NAMES,
    )
  })

  test('a send publishes start then end with the core event', async () => {
    const client = clientFor(emu)
    const to = phone()
    const seen = await capture(() => client.sendCode(to, EIGHT))
    assert.deepEqual(
      seen.map(([name]) => name),
      ['smsauth:call:start', 'smsauth:call:end'],
    )
    const [, start] = seen[0]
    assert.equal(start.action, 'SendSmsVerifyCode')
    assert.equal(start.phone, `${to.slice(0, 3)}****${to.slice(-4)}`)
    const [, end] = seen[1]
    assert.equal(end.action, 'SendSmsVerifyCode')
    assert.equal(end.signatureVersion, 'v3')
    assert.equal(end.serverAddress, '127.0.0.1')
    assert.equal(end.serverPort, emu.port)
    assert.equal(end.attempts, 1)
    assert.deepEqual(end.retryReasons, [])
    assert.equal(end.httpStatus, 200)
    assert.equal(end.serviceCode, 'OK')
    assert.equal(typeof end.requestId, 'string')
    assert.ok(end.requestId.length > 0)
    assert.ok(end.elapsedMs >= 0 && end.elapsedMs < 30_000)
    assert.equal(end.delivery, 'answered')
    assert.equal(end.guardDecision, 'not_guarded')
    assert.equal(end.guardRule, null)
    assert.equal(end.passed, null)
    assert.equal(end.errorKind, null)
    assertClean(seen, [to, emu.accessKeySecret, emu.lastCode(to)])
  })

  test('a wrong check ends with passed: false', async () => {
    const client = clientFor(emu)
    const to = phone()
    await client.sendCode(to, EIGHT)
    const code = emu.lastCode(to)
    const wrong = 'ZQ7X9K2W'
    const seen = await capture(() => client.checkCode(to, wrong))
    assert.deepEqual(
      seen.map(([name]) => name),
      ['smsauth:call:start', 'smsauth:call:end'],
    )
    const [, end] = seen[1]
    assert.equal(end.action, 'CheckSmsVerifyCode')
    assert.equal(end.serviceCode, 'OK')
    assert.equal(end.passed, false)
    assert.equal(end.errorKind, null)
    assertClean(seen, [to, code, wrong, emu.accessKeySecret])
  })

  test('a throttled send publishes error with the service code and the rejection', async () => {
    const client = clientFor(emu)
    const to = phone()
    await client.sendCode(to, EIGHT)
    let e
    const seen = await capture(async () => {
      e = await rejection(client.sendCode(to))
    })
    assert.deepEqual(
      seen.map(([name]) => name),
      ['smsauth:call:start', 'smsauth:call:error'],
    )
    const [, event] = seen[1]
    assert.equal(event.action, 'SendSmsVerifyCode')
    assert.equal(event.errorKind, 'throttled')
    assert.equal(event.serviceCode, 'biz.FREQUENCY')
    assert.equal(event.httpStatus, 200)
    assert.equal(event.delivery, 'answered')
    assert.equal(event.attempts, 1)
    assert.equal(event.error, e)
    assert.equal(e.code, 'ERR_SMSAUTH_THROTTLED')
    assertClean(seen, [to, emu.lastCode(to), emu.accessKeySecret])
  })

  test('a guard denial publishes error with the rule and no attempt', async () => {
    const client = clientFor(emu, { guard: {} })
    const to = phone()
    await client.sendCode(to, EIGHT)
    const seen = await capture(() => rejection(client.sendCode(to, { ...EIGHT, clientKey: '203.0.113.7' })))
    const [name, event] = seen[1]
    assert.equal(name, 'smsauth:call:error')
    assert.equal(event.errorKind, 'guard_denied')
    assert.equal(event.guardDecision, 'denied')
    assert.equal(event.guardRule, 'phone:1/60s')
    assert.equal(event.attempts, 0)
    assert.equal(event.delivery, 'not_received')
    assert.equal(event.serviceCode, null)
    assert.equal(event.error.code, 'ERR_SMSAUTH_GUARD_DENIED')
    assertClean(seen, [to, '203.0.113.7', emu.lastCode(to), emu.accessKeySecret])
  })

  test('raw calls are published too; refused arguments publish nothing', async () => {
    const client = clientFor(emu)
    const to = phone()
    const seen = await capture(async () => {
      await client.sendSmsVerifyCode({
        phoneNumber: to,
        signName: '速通互联验证码',
        templateCode: '100001',
        templateParam: { code: '##code##', min: '5' },
      })
      await client.checkSmsVerifyCode({ phoneNumber: to, verifyCode: emu.lastCode(to) })
      await rejection(client.sendCode(13800138000))
    })
    assert.deepEqual(
      seen.map(([name, m]) => `${name} ${m.action}`),
      [
        'smsauth:call:start SendSmsVerifyCode',
        'smsauth:call:end SendSmsVerifyCode',
        'smsauth:call:start CheckSmsVerifyCode',
        'smsauth:call:end CheckSmsVerifyCode',
      ],
    )
    assert.equal(seen[3][1].passed, true)
  })

  test('with no subscriber nothing is published and the answer is the same', async () => {
    const client = clientFor(emu)
    const to = phone()
    const channel = diagnostics.channel('smsauth:call:end')
    assert.equal(channel.hasSubscribers, false)
    const r = await client.sendCode(to, EIGHT)
    assert.equal(r.code, 'OK')
  })

  test('each call decides: an unobserved call still counts, the next observed one gets its event', async () => {
    const client = clientFor(emu)
    const to = phone()
    await client.sendCode(to, EIGHT)
    await rejection(client.checkCode('not a phone', '12345678'))
    assert.deepEqual([client.stats().sends, client.stats().checks, client.stats().errors], [1, 1, { invalid_input: 1 }])
    const seen = await capture(() => client.checkCode(to, emu.lastCode(to)))
    assert.deepEqual(
      seen.map(([name]) => name),
      ['smsauth:call:start', 'smsauth:call:end'],
    )
    const [, event] = seen[1]
    assert.equal(event.action, 'CheckSmsVerifyCode')
    assert.equal(event.passed, true)
    assert.equal(event.attempts, 1)
    assert.equal(event.serviceCode, 'OK')
    const s = client.stats()
    assert.deepEqual([s.sends, s.checks, s.passes], [1, 2, 1])
    assert.equal(
      s.latencyBuckets.reduce((a, b) => a + b, 0),
      3,
    )
  })
})

describe('client.stats()', () => {
  test('counts sends, checks, passes, guard denials, errors and latency', async () => {
    const emu = startEmulator()
    try {
      const client = clientFor(emu, { guard: { phone: [{ max: 2, windowSeconds: 3600 }] } })
      const fresh = client.stats()
      assert.deepEqual(fresh, {
        sends: 0,
        checks: 0,
        passes: 0,
        guardDenials: {},
        errors: {},
        latencyBoundsMs: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
        latencyBuckets: Array(12).fill(0),
        latencySumMs: 0,
      })
      const to = phone()
      await client.sendCode(to, EIGHT)
      await client.checkCode(to, emu.lastCode(to))
      await rejection(client.sendCode(to)) // the emulator's 60 s interval: biz.FREQUENCY
      await rejection(client.sendCode(to)) // the guard's phone:2/3600s
      const s = client.stats()
      assert.equal(s.sends, 3)
      assert.equal(s.checks, 1)
      assert.equal(s.passes, 1)
      assert.deepEqual(s.guardDenials, { 'phone:2/3600s': 1 })
      assert.deepEqual(s.errors, { throttled: 1, guard_denied: 1 })
      assert.equal(
        s.latencyBuckets.reduce((a, b) => a + b, 0),
        4,
      )
      assert.ok(s.latencySumMs >= 0)
    } finally {
      emu.close()
    }
  })
})

describe('NODE_DEBUG=smsauth', () => {
  test('prints one line per call with the event fields and no secret', () => {
    const index = fileURLToPath(new URL('../index.js', import.meta.url))
    const script = `
      const { startEmulator, Client } = require(${JSON.stringify(index)})
      const emu = startEmulator()
      const client = new Client({ endpoint: emu.endpoint, accessKeyId: emu.accessKeyId,
        accessKeySecret: emu.accessKeySecret, signName: '速通互联验证码', templateCode: '100001' })
      client.sendCode('13800138000', { codeLength: 8 }).then(() => { console.log(emu.lastCode('13800138000')); emu.close() })
    `
    const run = (debug) =>
      spawnSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_DEBUG: debug }, encoding: 'utf8' })
    const on = run('smsauth')
    assert.equal(on.status, 0, on.stderr)
    const lines = on.stderr.split('\n').filter((l) => l.startsWith('SMSAUTH '))
    assert.equal(lines.length, 1, on.stderr)
    assert.match(lines[0], /action=SendSmsVerifyCode phone=138\*\*\*\*8000 /)
    assert.match(lines[0], / serviceCode=OK /)
    assert.match(lines[0], / attempts=1 /)
    const code = on.stdout.trim()
    assert.match(code, /^\d{8}$/)
    for (const secret of ['13800138000', 'testsecret', code]) assert.ok(!on.stderr.includes(secret), on.stderr)
    const off = run('')
    assert.equal(off.status, 0, off.stderr)
    assert.equal(off.stderr, '')
  })
})
