// The answers' objects are built by index.js's `sendResult` / `checkResult`, called by the
// native side with the answer's fields: plain objects, keys in a fixed order, an absent optional
// field not a property at all, and many answers settled in one wake-up of the event loop.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { clientFor, phone, startEmulator } from './helpers.mjs'

describe('result objects', () => {
  let emu
  let client
  before(() => {
    emu = startEmulator()
    client = clientFor(emu)
  })
  after(() => emu.close())

  test('a send: plain object, fixed keys, optional fields only when present', async () => {
    const to = phone()
    const sent = await client.sendCode(to)
    assert.equal(Object.getPrototypeOf(sent), Object.prototype)
    // The keys and their order napi's object conversion gave (the always-present fields, then the
    // optional ones present, in declaration order).
    assert.deepEqual(Object.keys(sent), ['requestId', 'code', 'message', 'success', 'httpStatus', 'bizId', 'modelRequestId'])
    const again = await client.sendCode(phone(), { returnVerifyCode: true, outId: 'order-1' })
    const keys = ['requestId', 'code', 'message', 'success', 'httpStatus', 'bizId', 'outId', 'verifyCode', 'modelRequestId']
    assert.deepEqual(Object.keys(again), keys)
    assert.equal(again.outId, 'order-1')
    assert.match(again.verifyCode, /^\d{4}$/)
    assert.equal(typeof again.success, 'boolean')
    assert.equal(again.httpStatus, 200)
  })

  test('a check: plain object, fixed keys, non-ASCII text kept', async () => {
    const to = phone()
    await client.sendCode(to)
    const wrong = await client.checkCode(to, '0000' === emu.lastCode(to) ? '1111' : '0000')
    assert.equal(Object.getPrototypeOf(wrong), Object.prototype)
    assert.deepEqual(Object.keys(wrong), ['passed', 'verifyResult', 'requestId', 'code', 'message', 'success', 'httpStatus'])
    assert.deepEqual([wrong.passed, wrong.verifyResult], [false, 'UNKNOWN'])
    const ok = await client.checkSmsVerifyCode({ phoneNumber: to, verifyCode: emu.lastCode(to), outId: '订单-1' })
    assert.equal(ok.passed, true)
    assert.equal(ok.outId, '订单-1')
    assert.deepEqual(Object.keys(ok), ['passed', 'verifyResult', 'requestId', 'code', 'message', 'success', 'httpStatus', 'outId'])
  })

  test('many answers in flight settle each their own promise', async () => {
    const numbers = Array.from({ length: 40 }, () => phone())
    const sent = await Promise.all(numbers.map((to) => client.sendCode(to, { returnVerifyCode: true })))
    const checked = await Promise.all(numbers.map((to, i) => client.checkCode(to, sent[i].verifyCode)))
    assert.ok(checked.every((r) => r.passed), JSON.stringify(checked.filter((r) => !r.passed)))
    assert.equal(new Set(sent.map((r) => r.requestId)).size, numbers.length)
  })
})
