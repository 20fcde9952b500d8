// The CommonJS entry: `require('smsauth')`.
'use strict'
const assert = require('node:assert/strict')
const { test } = require('node:test')

const smsauth = require('smsauth')

test('require() gives the API with working classes', async () => {
  const { Client, SmsAuthError, ErrorCode, startEmulator } = smsauth
  assert.equal(typeof Client, 'function')
  assert.equal(smsauth.default, undefined, 'no synthetic default on the CommonJS entry')
  assert.throws(() => Client({}), TypeError, 'a class needs new')
  const emu = startEmulator()
  try {
    const c = new Client({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      signName: '速通互联验证码',
      templateCode: '100001',
    })
    await c.sendCode('13900139000')
    const code = emu.lastCode('13900139000')
    assert.equal((await c.checkCode('13900139000', code)).passed, true)
    const e = await c.sendCode('13900139000').catch((err) => err)
    assert.ok(e instanceof SmsAuthError)
    assert.equal(e.code, ErrorCode.THROTTLED)
  } finally {
    emu.close()
  }
})

test('the ES module entry is the same module instance', async () => {
  const esm = await import('smsauth')
  assert.equal(esm.Client, smsauth.Client)
  assert.equal(esm.default, smsauth)
})
