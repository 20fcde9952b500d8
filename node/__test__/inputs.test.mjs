// Bad inputs: wrongly typed arguments are TypeErrors naming the argument (rejections for the
// async methods, throws for the rest), out-of-range numbers RangeErrors, bad values and unknown
// option names SmsAuthErrors — never a crash, a hang or a silent success.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { Client, clientFor, phone, rejection, smsauth, startEmulator, thrown } from './helpers.mjs'

const KEYS = { accessKeyId: 'id', accessKeySecret: 'secret' }

function assertTypeError(e, name) {
  assert.ok(e instanceof TypeError, `not a TypeError: ${e && e.stack}`)
  assert.equal(e.code, 'ERR_INVALID_ARG_TYPE')
  assert.ok(e.message.includes(`"${name}"`), `${e.message} should name "${name}"`)
}

function assertRangeError(e, name) {
  assert.ok(e instanceof RangeError, `not a RangeError: ${e && e.stack}`)
  assert.equal(e.code, 'ERR_OUT_OF_RANGE')
  assert.ok(e.message.includes(`"${name}"`), `${e.message} should name "${name}"`)
}

describe('bad inputs', () => {
  let emu
  let client
  before(() => {
    emu = startEmulator()
    client = clientFor(emu)
  })
  after(() => emu.close())

  test('constructor: wrong option types throw TypeErrors naming the option', () => {
    for (const [options, name] of [
      ['x', 'options'],
      [[], 'options'],
      [42, 'options'],
      [{ ...KEYS, timeoutMs: '5' }, 'options.timeoutMs'],
      [{ ...KEYS, endpoint: 8080 }, 'options.endpoint'],
      [{ ...KEYS, noProxy: 'yes' }, 'options.noProxy'],
      [{ ...KEYS, signatureVersion: 3 }, 'options.signatureVersion'],
      [{ ...KEYS, retry: 3 }, 'options.retry'],
      [{ ...KEYS, retry: { maxAttempts: '2' } }, 'options.retry.maxAttempts'],
      [{ ...KEYS, caCertificates: [1] }, 'options.caCertificates[]'],
      [{ ...KEYS, templateParam: 5 }, 'options.templateParam'],
      [{ accessKeyId: 5, accessKeySecret: 'x' }, 'options.accessKeyId'],
      // The core cannot unset these: `null` is a wrong type, not "the default".
      [{ ...KEYS, endpoint: null }, 'options.endpoint'],
      [{ ...KEYS, guard: { prefixDigits: null } }, 'options.guard.prefixDigits'],
    ]) {
      assertTypeError(
        thrown(() => new Client(options)),
        name,
      )
    }
  })

  test('constructor: null unsets an option that has a default', () => {
    const client = new Client({ ...KEYS, timeoutMs: null, retry: { maxAttempts: null }, scheme: null })
    assert.equal(client.endpoint, 'https://dypnsapi.aliyuncs.com/')
  })

  test('constructor: out-of-range numbers throw RangeErrors', () => {
    // (2 ** 40 ms is an integer: the core refuses it, see errors.test.mjs)
    for (const value of [1.5, -1, Number.NaN, Infinity, 2 ** 53]) {
      assertRangeError(
        thrown(() => new Client({ ...KEYS, timeoutMs: value })),
        'options.timeoutMs',
      )
    }
  })

  test('constructor: an unknown option is an error that suggests the right name', () => {
    const e = thrown(() => new Client({ ...KEYS, signname: 'x' }))
    assert.ok(e instanceof smsauth.SmsAuthError)
    assert.equal(e.code, 'ERR_SMSAUTH_INVALID_INPUT')
    assert.match(e.message, /"signname" is not a known property \(did you mean "signName"\?\)/)
  })

  test('constructor: Client must be called with new', () => {
    assert.throws(() => Client(KEYS))
  })

  test('async methods reject (never throw synchronously) with TypeErrors naming the argument', async () => {
    const cases = [
      [() => client.sendCode(), 'phone'],
      [() => client.sendCode(13800138000), 'phone'],
      [() => client.sendCode(null), 'phone'],
      [() => client.sendCode(phone(), 'fast'), 'overrides'],
      [() => client.sendCode(phone(), { codeLength: '6' }), 'overrides.codeLength'],
      [() => client.sendCode(phone(), { returnVerifyCode: 1 }), 'overrides.returnVerifyCode'],
      [() => client.sendCode(phone(), { templateParam: ['x'] }), 'overrides.templateParam'],
      [() => client.checkCode(phone()), 'code'],
      [() => client.checkCode(phone(), 1234), 'code'],
      [() => client.checkCode({ phone: '138' }, '1234'), 'phone'],
      [() => client.checkCode(phone(), '1234', []), 'overrides'],
      [() => client.sendSmsVerifyCode('13800138000'), 'request'],
      [() => client.sendSmsVerifyCode({}), 'request.phoneNumber'],
      [() => client.checkSmsVerifyCode({ phoneNumber: '13800138000' }), 'request.verifyCode'],
    ]
    for (const [call, name] of cases) {
      let promise
      assert.doesNotThrow(() => {
        promise = call()
      })
      assert.ok(promise instanceof Promise)
      assertTypeError(await rejection(promise), name)
    }
    const e = await rejection(client.sendCode(phone(), { codeLength: 6.5 }))
    assertRangeError(e, 'overrides.codeLength')
  })

  test('unknown override names are refused before anything is sent', async () => {
    const before = emu.requestCount()
    const e = await rejection(client.sendCode(phone(), { codelength: 6 }))
    assert.equal(e.code, 'ERR_SMSAUTH_INVALID_INPUT')
    assert.match(e.message, /did you mean "codeLength"/)
    const e2 = await rejection(client.checkCode(phone(), '1234', { signName: 'x' }))
    assert.equal(e2.code, 'ERR_SMSAUTH_INVALID_INPUT', 'signName is not a check field')
    assert.equal(emu.requestCount(), before)
  })

  test('hostile strings are invalid input, not crashes', async () => {
    for (const bad of ['1'.repeat(1_000_000), '138\u0000 0013 8000', '📱13800138000', '']) {
      const e = await rejection(client.sendCode(bad))
      assert.equal(e.code, 'ERR_SMSAUTH_INVALID_INPUT')
    }
    const e = await rejection(client.checkCode(phone(), '１２３４'))
    assert.equal(e.field, 'VerifyCode')
  })

  test('methods called on something that is not a Client fail cleanly', async () => {
    const call = () => Client.prototype.sendCode.call({}, '13800138000')
    let outcome
    try {
      outcome = await call()
    } catch (e) {
      outcome = e
    }
    assert.ok(outcome instanceof Error, String(outcome))
  })

  test('helpers: TypeErrors and RangeErrors name the argument', () => {
    assertTypeError(
      thrown(() => smsauth.explainV1(1, {}, 's')),
      'method',
    )
    assertTypeError(
      thrown(() => smsauth.explainV1('GET', 'a=b', 's')),
      'params',
    )
    assertTypeError(
      thrown(() => smsauth.explainV1('GET', [['a']], 's')),
      'params',
    )
    assertTypeError(
      thrown(() => smsauth.explainV1('GET', { a: 1 }, 's')),
      'params',
    )
    assertTypeError(
      thrown(() => smsauth.explainV1('GET', {}, undefined)),
      'accessKeySecret',
    )
    assertTypeError(
      // host defaults to dypnsapi.aliyuncs.com (the one rule of every binding); action does not.
      thrown(() => smsauth.sign({}, { accessKeyId: 'a', accessKeySecret: 'b' })),
      'request.action',
    )
    assertTypeError(
      thrown(() => smsauth.sign({ host: 'h', action: 'A' }, null)),
      'options',
    )
    assertTypeError(
      thrown(() => smsauth.explainV3({ method: 'POST' })),
      'parts.headers',
    )
    assertTypeError(
      thrown(() => smsauth.formatTimestamp('now')),
      'unixSeconds',
    )
    assertRangeError(
      thrown(() => smsauth.formatTimestamp(-1)),
      'unixSeconds',
    )
    assertTypeError(
      thrown(() => smsauth.parseTimestamp(1)),
      'timestamp',
    )
    assertTypeError(
      thrown(() => smsauth.normalizePhone(13800138000)),
      'phone',
    )
    assertTypeError(
      thrown(() => smsauth.templateParam({ min: 5 })),
      'extra',
    )
    assertTypeError(
      thrown(() => new smsauth.Verifier().verify({ method: 'GET' }, 'secret')),
      'secrets',
    )
    assertTypeError(
      thrown(() => new smsauth.Verifier({ windowSeconds: '1' })),
      'options.windowSeconds',
    )
    const bad = thrown(() => smsauth.sign({ host: 'h', action: 'A' }, { accessKeyId: 'a', accessKeySecret: 'b', signatureVersion: 'v2' }))
    assert.equal(bad.code, 'ERR_SMSAUTH_INVALID_INPUT')
  })

  test('emulator: bad arguments', () => {
    assertRangeError(
      thrown(() => emu.advanceClock(-1)),
      'seconds',
    )
    assertTypeError(
      thrown(() => emu.advanceClock('60')),
      'seconds',
    )
    assertTypeError(
      thrown(() => emu.lastCode(13800138000)),
      'phone',
    )
    assertTypeError(
      thrown(() => emu.messages(1)),
      'phone',
    )
    const p = thrown(() => emu.addFault({ kind: 'throttle', probability: 2 }))
    assert.equal(p.code, 'ERR_SMSAUTH_INVALID_INPUT')
    assert.match(p.message, /probability must be between 0 and 1, got 2/)
    const e = thrown(() => emu.addFault({ kind: 'explode' }))
    assert.equal(e.code, 'ERR_SMSAUTH_INVALID_INPUT')
    assert.match(e.message, /explode/)
    assertTypeError(
      thrown(() => smsauth.startEmulator({ port: 'x' })),
      'options.port',
    )
    assertRangeError(
      thrown(() => smsauth.startEmulator({ port: 70000 })),
      'options.port',
    )
    const e2 = thrown(() => smsauth.startEmulator({ prot: 0 }))
    assert.match(e2.message, /did you mean "port"/)
  })
})
