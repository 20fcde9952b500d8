// Bad input never lies (issue 22): ranges, sizes, proxies, placeholders, surrogates, options that
// hide their entries, throwing getters and strict fault rules — each a clear, typed error, with
// nothing sent.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { Client, clientFor, phone, rejection, smsauth, startEmulator, thrown } from './helpers.mjs'

const { SmsAuthError, ErrorCode } = smsauth
const KEYS = { accessKeyId: 'id', accessKeySecret: 's' }

function invalid(e, field) {
  assert.ok(e instanceof SmsAuthError, `not an SmsAuthError: ${e && e.stack}`)
  assert.equal(e.code, ErrorCode.INVALID_INPUT, e.message)
  assert.equal(e.field, field, e.message)
  assert.equal(e.delivery, 'not_received')
  assert.equal(e.mayHaveBeenReceived, false)
}

describe('bad input', () => {
  let emu
  let client
  before(() => {
    emu = startEmulator()
    client = clientFor(emu)
  })
  after(() => emu.close())

  test('client options out of range name the option as written', () => {
    for (const [options, field, says] of [
      [{ timeoutMs: 86_400_001 }, 'options.timeoutMs', 'invalid options.timeoutMs: must be at most 86400 s'],
      [{ readTimeoutMs: 4294967295 }, 'options.readTimeoutMs', 'invalid options.readTimeoutMs:'],
      [{ connectTimeoutMs: 0 }, 'options.connectTimeoutMs', 'invalid options.connectTimeoutMs: must be greater than zero'],
      [{ retry: { maxAttempts: 11 } }, 'options.retry.maxAttempts', 'invalid options.retry.maxAttempts: must be between 1 and 10'],
      [{ retry: { maxBackoffMs: 4294967295 } }, 'options.retry.maxBackoffMs', 'invalid options.retry.maxBackoffMs:'],
      [{ caCertificates: 'junk' }, 'options.caCertificates', 'invalid options.caCertificates:'],
      [{ proxy: 'socks5://proxy:1080' }, 'options.proxy', 'only http:// and https://'],
      [{ proxy: 'ftp://proxy:21' }, 'options.proxy', 'only http:// and https://'],
    ]) {
      const e = thrown(() => new Client({ ...KEYS, ...options }))
      invalid(e, field)
      assert.ok(e.message.includes(says), e.message)
    }
  })

  test('userinfo in endpoint and proxy URLs never appears', () => {
    for (const options of [{ endpoint: 'http://u:hunter2@127.0.0.1:9/x' }, { proxy: 'gopher://u:hunter2@proxy:70' }]) {
      const e = thrown(() => new Client({ ...KEYS, ...options }))
      const shown = `${e.message} ${e.stack} ${JSON.stringify(e)}`
      assert.ok(!shown.includes('hunter2') && shown.includes('***@'), shown)
    }
  })

  test('oversized fields, placeholder-less templates and bad ranges are refused before sending', async () => {
    const before = emu.requestCount()
    const big = 'x'.repeat(100 * 1024)
    for (const [overrides, field] of [
      [{ outId: big }, 'OutId'],
      [{ signName: big }, 'SignName'],
      [{ templateParam: `{"code":"##code##","p":"${big}"}` }, 'TemplateParam'],
      [{ templateParam: '{}' }, 'TemplateParam'],
      [{ templateParam: { min: '5' } }, 'TemplateParam'],
      [{ countryCode: '1' }, 'CountryCode'],
      [{ countryCode: '086' }, 'CountryCode'],
      [{ countryCode: '00000' }, 'CountryCode'],
      [{ validTime: 4_000_000_000 }, 'ValidTime'],
      [{ interval: 4_000_000_000 }, 'Interval'],
    ]) {
      invalid(await rejection(client.sendCode(phone(), overrides)), field)
    }
    assert.equal(emu.requestCount(), before, 'nothing was sent')
  })

  test('lone surrogates are refused, naming the field, never sent as U+FFFD', async () => {
    const before = emu.requestCount()
    const e = await rejection(client.sendCode(phone(), { signName: 'zq\uD800' }))
    invalid(e, 'overrides.signName')
    assert.equal(e.message, 'invalid overrides.signName: contains a lone surrogate (U+D800 to U+DFFF), which is not text')
    invalid(await rejection(client.sendCode(`138\uDC00`)), 'phone')
    invalid(thrown(() => new Client({ ...KEYS, accessKeySecret: 'sec\uD800ret' })), 'options.accessKeySecret')
    // JSON.stringify escapes a lone surrogate (\ud800), which is not valid JSON text either.
    invalid(await rejection(client.sendCode(phone(), { templateParam: { code: '##code##', x: '\uD800' } })), 'TemplateParam')
    assert.equal(emu.requestCount(), before)
  })

  test('options given as a Map or with non-enumerable properties are refused', async () => {
    const before = emu.requestCount()
    const map = new Map([['signName', 'x']])
    const e = await rejection(client.sendCode(phone(), map))
    assert.ok(e instanceof TypeError && /not a Map/.test(e.message), e.message)
    const hidden = Object.defineProperty({}, 'templateCode', { value: 'SMS_1', enumerable: false })
    const e2 = await rejection(client.sendCode(phone(), hidden))
    assert.ok(e2 instanceof TypeError && /overrides\.templateCode.*enumerable/.test(e2.message), e2.message)
    assert.ok(thrown(() => new Client(new Map(Object.entries(KEYS)))) instanceof TypeError)
    const e3 = await rejection(client.sendCode(phone(), { templateParam: new Map([['code', '##code##']]) }))
    assert.ok(e3 instanceof TypeError && /not a Map/.test(e3.message), e3.message)
    assert.equal(emu.requestCount(), before)
  })

  test('toJSON returning undefined and throwing getters give their own errors, rejecting', async () => {
    const before = emu.requestCount()
    const e = await rejection(client.sendCode(phone(), { templateParam: { toJSON: () => undefined } }))
    assert.ok(e instanceof TypeError && /toJSON/.test(e.message), e.message)
    assert.ok(!/Failed to convert/.test(e.message))
    const boom = new Error('getter says no')
    const throwing = Object.defineProperty({}, 'signName', { get() { throw boom }, enumerable: true })
    let promise
    assert.doesNotThrow(() => {
      promise = client.sendCode(phone(), throwing)
    })
    assert.equal(await rejection(promise), boom, 'the getter\'s own error, as a rejection')
    const foreign = Object.defineProperty({}, 'signName', {
      get: Object.getOwnPropertyDescriptor(Map.prototype, 'size').get,
      enumerable: true,
    })
    const e2 = await rejection(client.sendCode(phone(), foreign))
    assert.ok(e2 instanceof TypeError && !/Failed to convert/.test(e2.message), e2.message)
    assert.equal(emu.requestCount(), before)
  })

  test('fault rules are checked by the emulator\'s one parser', () => {
    for (const fault of [
      { kind: 'server_error', statusCode: 503 },
      { kind: 'latency', msec: 5 },
      { kind: 'latency', ms: 5, tims: 1 },
      { kind: 'latency', ms: 5, probability: 5 },
      { kind: 'latency', ms: 5, action: 'sendsmsverifycode' },
      { kind: 'malformed', ms: 5 },
      { kind: 'nope' },
    ]) {
      invalid(thrown(() => emu.addFault(fault)), 'fault')
    }
    emu.addFault({ kind: 'throttle', retryAfterMs: 5, action: 'CheckSmsVerifyCode', times: 1 })
    emu.clearFaults()
  })
})
