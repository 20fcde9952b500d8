// The abuse guard (`new Client({ guard })`): refusals before the paid call, against the real
// emulator, whose request count proves that nothing was sent.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { clientFor, phone, rejection, smsauth, startEmulator, thrown } from './helpers.mjs'

const { ErrorCode, SmsAuthError } = smsauth

describe('abuse guard', () => {
  let emu
  before(() => {
    emu = startEmulator()
  })
  after(() => emu.close())

  test('a second send to one number within a minute is refused locally (phone:1/60s)', async () => {
    const client = clientFor(emu, { guard: {} })
    const to = phone()
    await client.sendCode(to)
    const before = emu.requestCount()
    const e = await rejection(client.sendCode(to))
    assert.ok(e instanceof SmsAuthError)
    assert.equal(e.code, 'ERR_SMSAUTH_GUARD_DENIED')
    assert.equal(e.code, ErrorCode.GUARD_DENIED)
    assert.equal(e.kind, 'guard_denied')
    assert.equal(e.guardRule, 'phone:1/60s')
    assert.equal(typeof e.retryAfter, 'number')
    assert.ok(e.retryAfter > 0 && e.retryAfter <= 60, `retryAfter ${e.retryAfter}`)
    assert.equal(Number.isInteger(e.retryAfter), true)
    assert.ok(e.retryAfterMs > 0 && e.retryAfterMs <= 60_000)
    assert.equal(e.delivery, 'not_received')
    assert.equal(e.mayHaveBeenReceived, false)
    assert.equal(emu.requestCount(), before, 'the emulator saw no request for the refused send')
    assert.equal(emu.messages(to).length, 1)
  })

  test('the client-key limit spans phone numbers; other keys and keyless sends are not affected', async () => {
    const client = clientFor(emu, { guard: { client: [{ max: 2, windowSeconds: 3600 }] } })
    await client.sendCode(phone(), { clientKey: '203.0.113.7' })
    await client.sendCode(phone(), { clientKey: '203.0.113.7' })
    const before = emu.requestCount()
    const to = phone()
    const e = await rejection(client.sendCode(to, { clientKey: '203.0.113.7' }))
    assert.equal(e.code, 'ERR_SMSAUTH_GUARD_DENIED')
    assert.equal(e.guardRule, 'client:2/3600s')
    assert.ok(e.retryAfter > 3500 && e.retryAfter <= 3600, `retryAfter ${e.retryAfter}`)
    assert.equal(emu.requestCount(), before)
    assert.deepEqual(emu.messages(to), [])
    await client.sendCode(to, { clientKey: '198.51.100.1' })
    await client.sendCode(phone())
    assert.equal(emu.messages(to).length, 1)
  })

  test('requireClientKey refuses a keyless send before anything is sent', async () => {
    const client = clientFor(emu, { guard: { requireClientKey: true } })
    const before = emu.requestCount()
    const e = await rejection(client.sendCode(phone()))
    assert.equal(e.code, 'ERR_SMSAUTH_INVALID_INPUT')
    assert.equal(e.field, 'overrides.clientKey')
    assert.match(e.message, /clientKey/)
    assert.equal(emu.requestCount(), before)
    await client.sendCode(phone(), { clientKey: '203.0.113.9' })
    assert.equal(emu.requestCount(), before + 1)
  })

  test('wrong codes lock the number (check:locked); the lock refuses even the right code', async () => {
    const client = clientFor(emu, { guard: { wrongCode: { max: 2, windowSeconds: 600, lockSeconds: 300 } } })
    const to = phone()
    await client.sendCode(to)
    const code = emu.lastCode(to)
    const wrong = code === '0000' ? '1111' : '0000'
    assert.equal((await client.checkCode(to, wrong)).passed, false)
    assert.equal((await client.checkCode(to, wrong)).passed, false)
    const before = emu.requestCount()
    const e = await rejection(client.checkCode(to, code))
    assert.equal(e.code, 'ERR_SMSAUTH_GUARD_DENIED')
    assert.equal(e.guardRule, 'check:locked')
    assert.ok(e.retryAfter > 0 && e.retryAfter <= 300, `retryAfter ${e.retryAfter}`)
    assert.equal(emu.requestCount(), before)
  })

  test('a passing check resets the wrong-code count', async () => {
    const client = clientFor(emu, { guard: { wrongCode: { max: 2 } } })
    const to = phone()
    await client.sendCode(to)
    assert.equal((await client.checkCode(to, '0000' === emu.lastCode(to) ? '1111' : '0000')).passed, false)
    assert.equal((await client.checkCode(to, emu.lastCode(to))).passed, true)
    // Two more wrong answers are allowed again (the count restarted).
    assert.equal((await client.checkCode(to, '0000')).passed, false)
    assert.equal((await client.checkCode(to, '0000')).passed, false)
    assert.equal((await rejection(client.checkCode(to, '0000'))).guardRule, 'check:locked')
  })

  test('dry run lets a call the guard would refuse go through', async () => {
    const client = clientFor(emu, { guard: { client: [{ max: 1, windowSeconds: 3600 }], dryRun: true } })
    const before = emu.requestCount()
    const a = phone()
    const b = phone()
    await client.sendCode(a, { clientKey: 'session-1' })
    await client.sendCode(b, { clientKey: 'session-1' })
    assert.equal(emu.requestCount(), before + 2)
    assert.equal(emu.messages(b).length, 1)
    // The same limits, enforced, refuse the second send.
    const enforced = clientFor(emu, { guard: { client: [{ max: 1, windowSeconds: 3600 }] } })
    await enforced.sendCode(phone(), { clientKey: 'session-1' })
    assert.equal((await rejection(enforced.sendCode(phone(), { clientKey: 'session-1' }))).guardRule, 'client:1/3600s')
  })

  test('the daily budget counts every send of the client; null turns a rule off', async () => {
    const client = clientFor(emu, { guard: { dailyBudget: 2, phone: null, prefix: [] } })
    await client.sendCode(phone())
    await client.sendCode(phone())
    const e = await rejection(client.sendCode(phone()))
    assert.equal(e.guardRule, 'budget:daily')
    const capped = clientFor(emu, { guard: { dailyBudget: null, pricePerSms: 0.05, dailyMoneyCap: 0.05 } })
    await capped.sendCode(phone())
    assert.equal((await rejection(capped.sendCode(phone()))).guardRule, 'budget:daily')
  })

  test('the raw API calls are not guarded', async () => {
    const client = clientFor(emu, { guard: { dailyBudget: 1 } })
    await client.sendCode(phone())
    const r = await client.sendSmsVerifyCode({
      phoneNumber: phone(),
      signName: '速通互联验证码',
      templateCode: '100001',
      templateParam: { code: '##code##', min: '5' },
    })
    assert.equal(r.code, 'OK')
  })

  test('clientKey is a sendCode option only, and must be a string', async () => {
    const client = clientFor(emu, { guard: {} })
    const e = await rejection(client.sendCode(phone(), { clientKey: 42 }))
    assert.ok(e instanceof TypeError)
    assert.match(e.message, /"overrides\.clientKey"/)
    const raw = await rejection(
      client.sendSmsVerifyCode({ phoneNumber: phone(), signName: 's', templateCode: 't', clientKey: 'k' }),
    )
    assert.equal(raw.code, 'ERR_SMSAUTH_INVALID_INPUT')
    assert.match(raw.message, /clientKey/)
  })
})

describe('invalid guard options are refused, naming the option', () => {
  const build = (guard) => thrown(() => new smsauth.Client({ accessKeyId: 'id', accessKeySecret: 'secret', guard }))

  const invalid = [
    [{ prefixDigits: 0, prefix: [{ max: 1, windowSeconds: 60 }] }, 'options.guard.prefixDigits', /prefixDigits/],
    [{ phone: [{ max: 0, windowSeconds: 60 }] }, 'options.guard.phone.max', /must be between 1/],
    [{ client: [{ max: 1, windowSeconds: 0 }] }, 'options.guard.client.windowSeconds', /must be between 1/],
    [{ wrongCode: { max: 3, lockSeconds: 0 } }, 'options.guard.wrongCode.lockSeconds', /must be between 1/],
    [{ dailyBudget: 0 }, 'options.guard.dailyBudget', /unset it to turn the budget off/],
    [{ dailyMoneyCap: 10 }, 'options.guard.dailyMoneyCap', /price of one SMS/],
    [{ pricePerSms: -1 }, 'options.guard.pricePerSms', /positive/],
    [{ maxKeys: 3 }, 'options.guard.maxKeys', /at least 16/],
    [{ onStoreError: 'maybe' }, 'options.guard.onStoreError', /'closed' or 'open'/],
    [{ redisUrl: 'redis://127.0.0.1:6379' }, 'options.guard.redisUrl', /no Redis support/],
    [{ dailybudget: 5 }, 'options.guard', /did you mean "dailyBudget"/],
  ]
  for (const [guard, field, message] of invalid) {
    test(`${JSON.stringify(guard)} → ${field}`, () => {
      const e = build(guard)
      assert.ok(e instanceof SmsAuthError, String(e))
      assert.equal(e.code, 'ERR_SMSAUTH_INVALID_INPUT')
      assert.equal(e.field, field)
      assert.match(e.message, message)
      assert.ok(e.message.includes(field), e.message)
    })
  }

  test('wrongly typed values are TypeErrors naming the property', () => {
    for (const [guard, name] of [
      [{ phone: 'x' }, 'options.guard.phone'],
      [{ phone: [{ max: 1 }] }, 'options.guard.phone[].windowSeconds'],
      [{ phone: [5] }, 'options.guard.phone[]'],
      [{ dryRun: 'yes' }, 'options.guard.dryRun'],
      [{ wrongCode: 5 }, 'options.guard.wrongCode'],
      [[], 'options.guard'],
    ]) {
      const e = build(guard)
      assert.ok(e instanceof TypeError, `${JSON.stringify(guard)}: ${e}`)
      assert.ok(e.message.includes(`"${name}"`), e.message)
    }
    const e = build({ maxKeys: -1 })
    assert.ok(e instanceof RangeError)
    assert.match(e.message, /options\.guard\.maxKeys/)
  })
})
