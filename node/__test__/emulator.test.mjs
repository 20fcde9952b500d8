// The emulator helper users get for their own tests: outbox, clock, faults, reset, STS, close.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { clientFor, phone, smsauth, startEmulator } from './helpers.mjs'

test('startEmulator() defaults: a free port on 127.0.0.1 and the test key pair', () => {
  const emu = startEmulator()
  try {
    assert.match(emu.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.equal(emu.endpoint, `http://127.0.0.1:${emu.port}`)
    assert.equal(emu.accessKeyId, 'testid')
    assert.equal(emu.accessKeySecret, 'testsecret')
    assert.ok(emu instanceof smsauth.Emulator)
    assert.equal(emu.closed, false)
    assert.deepEqual(emu.messages(), [])
    assert.equal(emu.lastCode('13800138000'), null)
    assert.equal(emu.requestCount(), 0)
    assert.ok(Math.abs(emu.now() - Date.now() / 1000) < 5)
  } finally {
    emu.close()
  }
})

test('two emulators are independent; a seed makes codes repeatable; options apply', async () => {
  const a = startEmulator({ seed: 7, startTime: 1_700_000_000 })
  const b = startEmulator({ seed: 7, startTime: 1_700_000_000, verifyWithEmulatedClock: false })
  try {
    assert.notEqual(a.port, b.port)
    assert.equal(a.now(), 1_700_000_000)
    const to = phone()
    // `a` checks request timestamps against its (2023) clock, so a real-time request is stale.
    const stale = await clientFor(a).sendCode(to).catch((e) => e)
    assert.equal(stale.serviceCode, 'InvalidTimeStamp.Expired')
    await clientFor(b).sendCode(to)
    assert.equal(a.messages().length, 0)
    assert.equal(b.messages().length, 1)
    const c = startEmulator({ seed: 7, startTime: 1_700_000_000, verifyWithEmulatedClock: false })
    try {
      await clientFor(c).sendCode(to)
      assert.equal(c.lastCode(to), b.lastCode(to), 'same seed, same code')
      assert.equal(c.messages()[0].sentAt, 1_700_000_000)
    } finally {
      c.close()
    }
  } finally {
    a.close()
    b.close()
  }
})

test('custom key pair, templates and limits', async () => {
  const emu = startEmulator({
    accessKeyId: 'mykey',
    accessKeySecret: 'mysecret',
    templates: { SMS_1: '您的登录码是${code}' },
    maxWrongTries: 2,
  })
  try {
    const c = clientFor(emu, { templateCode: 'SMS_1', templateParam: '{"code":"##code##"}' })
    const to = phone()
    await c.sendCode(to)
    const [msg] = emu.messages()
    assert.equal(msg.text, `【速通互联验证码】您的登录码是${msg.code}`)
    assert.equal((await c.checkCode(to, '0000a')).passed, false)
    assert.equal((await c.checkCode(to, '0000b')).passed, false)
    assert.equal((await c.checkCode(to, msg.code)).passed, false, 'void after maxWrongTries wrong checks')
  } finally {
    emu.close()
  }
})

test('faithful by default: a custom signature is refused as the service does; lenient accepts it', async () => {
  const faithful = startEmulator()
  const lenient = startEmulator({ lenient: true })
  try {
    const to = phone()
    await assert.rejects(clientFor(faithful, { signName: '我的自定义签名' }).sendCode(to), (e) => {
      assert.equal(e.serviceCode, 'isv.SMS_SIGNATURE_ILLEGAL')
      return true
    })
    assert.equal(faithful.messages().length, 0)
    await clientFor(lenient, { signName: '我的自定义签名' }).sendCode(to)
    assert.equal(lenient.messages(to)[0].signName, '我的自定义签名')
  } finally {
    faithful.close()
    lenient.close()
  }
})

test('messages(phone) accepts any spelling of the number; reset clears state and clock', async () => {
  const emu = startEmulator()
  try {
    const c = clientFor(emu)
    const to = phone()
    await c.sendCode(to)
    await c.sendCode(phone())
    assert.equal(emu.messages().length, 2)
    assert.equal(emu.messages(`+86 ${to}`).length, 1)
    assert.equal(emu.messages(`0086-${to}`)[0].phoneNumber, to)
    const start = emu.now()
    emu.advanceClock(3600)
    assert.equal(emu.now(), start + 3600)
    emu.reset()
    assert.ok(emu.now() < start + 10)
    assert.deepEqual(emu.messages(), [])
    assert.equal(emu.lastCode(to), null)
    assert.equal((await c.sendCode(to)).code, 'OK', 'the send interval was forgotten')
  } finally {
    emu.close()
  }
})

test('faults: only matching requests, a fixed number of times, counted', async () => {
  const emu = startEmulator()
  try {
    const c = clientFor(emu, { retry: { maxAttempts: 1 } })
    const target = phone()
    emu.addFault({ kind: 'server_error', status: 502, phone: target, times: 2 })
    const other = await c.checkCode(phone(), '1234')
    assert.equal(other.code, 'OK', 'another number is not affected')
    for (let i = 0; i < 2; i++) {
      const e = await c.checkCode(target, '1234').catch((err) => err)
      assert.equal(e.httpStatus, 502)
    }
    assert.equal((await c.checkCode(target, '1234')).code, 'OK', 'the rule is used up')
    emu.addFault({ kind: 'html' })
    const e = await c.checkCode(target, '1234').catch((err) => err)
    assert.ok(e instanceof smsauth.SmsAuthError)
    assert.equal(e.httpStatus, 502)
    emu.clearFaults()
    assert.equal((await c.checkCode(target, '1234')).code, 'OK')
    assert.equal(emu.requestCount(), 6)
  } finally {
    emu.close()
  }
})

test('a send whose answer is lost may have been received: the SMS is in the outbox', async () => {
  const emu = startEmulator()
  try {
    emu.addFault({ kind: 'drop_mid_response', action: 'SendSmsVerifyCode', times: 1 })
    const c = clientFor(emu)
    const to = phone()
    const e = await c.sendCode(to).catch((err) => err)
    assert.ok(e instanceof smsauth.SmsAuthError, String(e))
    assert.equal(e.mayHaveBeenReceived, true)
    assert.equal(emu.messages(to).length, 1, 'sent once, and not resent')
  } finally {
    emu.close()
  }
})

test('close() stops the server, is idempotent, and later calls fail clearly', async () => {
  const emu = startEmulator()
  const c = clientFor(emu, { retry: { maxAttempts: 1 } })
  assert.equal((await c.checkCode(phone(), '1234')).code, 'OK')
  emu.close()
  emu.close()
  assert.equal(emu.closed, true)
  assert.match(emu.endpoint, /^http:/, 'still describes where it was')
  const e = await c.checkCode(phone(), '1234').catch((err) => err)
  assert.equal(e.code, 'ERR_SMSAUTH_NETWORK')
  for (const call of [() => emu.messages(), () => emu.lastCode('1'), () => emu.advanceClock(1), () => emu.reset()]) {
    assert.throws(call, (err) => err instanceof smsauth.SmsAuthError && /closed/.test(err.message))
  }
})

test('Symbol.dispose closes it (using emu = startEmulator())', () => {
  const emu = startEmulator()
  emu[Symbol.dispose]()
  assert.equal(emu.closed, true)
})

test('fault rules are validated: slow_drip and plain take typed options', () => {
  const emu = startEmulator()
  try {
    emu.addFault({ kind: 'slow_drip', chunkBytes: 8, intervalMs: 50, times: 1 })
    emu.addFault({ kind: 'server_error', status: 503, plain: true, times: 1 })
    for (const bad of [{ kind: 'server_error', plain: 'yes' }, { kind: 'slow_drip', chunkBytes: '16' }, { kind: 'slow_drip', intervalMs: -1 }]) {
      // One parser for every language (the emulator's): a typed ERR_SMSAUTH_INVALID_INPUT naming `fault`.
      assert.throws(() => emu.addFault(bad), (e) => e.code === 'ERR_SMSAUTH_INVALID_INPUT' && e.field === 'fault', JSON.stringify(bad))
    }
    assert.throws(
      () => emu.addFault({ kind: 'trickle' }),
      (e) => e.code === 'ERR_SMSAUTH_INVALID_INPUT' && /slow_drip/.test(e.message),
    )
  } finally {
    emu.close()
  }
})
