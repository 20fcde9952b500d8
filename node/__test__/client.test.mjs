// The main job against the real emulator: send a code, check it, and every field of the answers.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'

import { SIGN_NAME, TEMPLATE_CODE, clientFor, phone, smsauth, startEmulator } from './helpers.mjs'

describe('send and check against the emulator', () => {
  let emu
  let client
  before(() => {
    emu = startEmulator()
    client = clientFor(emu)
  })
  after(() => emu.close())

  test('happy path: send, the outbox holds the SMS, the right code passes once', async () => {
    const to = phone()
    const sent = await client.sendCode(`+86 ${to.slice(0, 3)} ${to.slice(3, 7)} ${to.slice(7)}`)
    assert.equal(sent.code, 'OK')
    assert.equal(sent.success, true)
    assert.equal(sent.httpStatus, 200)
    assert.match(sent.requestId, /^[0-9A-F-]{36}$/)
    assert.match(sent.bizId, /\^0$/)
    assert.equal(sent.verifyCode, undefined, 'the code is only returned when asked for')
    assert.equal(sent.outId, undefined, "the service's empty OutId is absent, as in every language")

    const [msg] = emu.messages(to)
    assert.equal(msg.phoneNumber, to, 'the number was normalised before sending')
    assert.equal(msg.signName, SIGN_NAME)
    assert.equal(msg.templateCode, TEMPLATE_CODE)
    assert.equal(msg.bizId, sent.bizId)
    assert.match(msg.code, /^\d{4}$/)
    assert.ok(msg.text.includes(msg.code) && msg.text.includes('5分钟'), msg.text)
    assert.equal(emu.lastCode(to), msg.code)

    const ok = await client.checkCode(to, msg.code)
    assert.equal(ok.passed, true)
    assert.equal(ok.verifyResult, 'PASS')
    assert.equal(ok.code, 'OK')
    assert.match(ok.requestId, /^[0-9A-F-]{36}$/)
    assert.equal(ok.outId, undefined)
    const again = await client.checkCode(to, msg.code)
    assert.equal(again.passed, false, 'a code passes once')
    assert.equal(again.verifyResult, 'UNKNOWN')
  })

  test('a wrong code resolves with passed=false (not an error), then the right one passes', async () => {
    const to = phone()
    await client.sendCode(to)
    const code = emu.lastCode(to)
    const wrong = code === '0000' ? '1111' : '0000'
    const r = await client.checkCode(to, wrong)
    assert.deepEqual([r.passed, r.verifyResult], [false, 'UNKNOWN'])
    assert.equal((await client.checkCode(to, code)).passed, true)
  })

  test('an expired code fails: advanceClock past ValidTime', async () => {
    const to = phone()
    await client.sendCode(to, { validTime: 120 })
    const code = emu.lastCode(to)
    const [msg] = emu.messages(to)
    assert.equal(msg.expiresAt - msg.sentAt, 120)
    emu.advanceClock(121)
    const r = await client.checkCode(to, code)
    assert.equal(r.passed, false)
    assert.equal(r.verifyResult, 'UNKNOWN')
  })

  test('a code still valid just before expiry passes', async () => {
    const to = phone()
    await client.sendCode(to, { validTime: 120 })
    emu.advanceClock(119)
    assert.equal((await client.checkCode(to, emu.lastCode(to))).passed, true)
  })

  test('overrides map to the request: length, type, template, outId, returnVerifyCode, scheme', async () => {
    const to = phone()
    const sent = await client.sendCode(to, {
      codeLength: 6,
      codeType: 2,
      templateCode: '100003',
      templateParam: { code: '##code##', min: '10' },
      outId: 'order-42',
      returnVerifyCode: true,
      schemeName: '登录',
    })
    assert.equal(sent.outId, 'order-42')
    assert.match(sent.verifyCode, /^[A-Z]{6}$/)
    const [msg] = emu.messages(to)
    assert.equal(msg.code, sent.verifyCode)
    assert.equal(msg.templateCode, '100003')
    assert.equal(msg.schemeName, '登录')
    assert.equal(msg.outId, 'order-42')
    assert.ok(msg.text.includes('10分钟'), msg.text)
    // The scheme is part of the key: the default scheme does not know this code.
    assert.equal((await client.checkCode(to, sent.verifyCode)).passed, false)
    const ok = await client.checkCode(to, sent.verifyCode.toLowerCase(), { schemeName: '登录', outId: 'order-42' })
    assert.equal(ok.passed, true, 'case-insensitive by default')
    assert.equal(ok.outId, 'order-42')
  })

  test('caseAuthPolicy 2 makes the check case-sensitive', async () => {
    const to = phone()
    const sent = await client.sendCode(to, { codeType: 3, returnVerifyCode: true })
    assert.match(sent.verifyCode, /^[a-z]{4}$/)
    const upper = await client.checkCode(to, sent.verifyCode.toUpperCase(), { caseAuthPolicy: 2 })
    assert.equal(upper.passed, false)
    assert.equal((await client.checkCode(to, sent.verifyCode, { caseAuthPolicy: 2 })).passed, true)
  })

  test('client defaults apply to sendCode/checkCode, not to the raw typed calls', async () => {
    const c = clientFor(emu, { schemeName: '注册', codeLength: 8, validTime: 600 })
    const to = phone()
    await c.sendCode(to)
    const [msg] = emu.messages(to)
    assert.equal(msg.schemeName, '注册')
    assert.equal(msg.code.length, 8)
    assert.equal(msg.expiresAt - msg.sentAt, 600)
    assert.ok(msg.text.includes('10分钟'), 'default TemplateParam uses ValidTime in minutes')
    assert.equal((await c.checkCode(to, msg.code)).passed, true)

    const raw = await smsauth.Client.prototype.sendSmsVerifyCode.call(c, {
      phoneNumber: phone(),
      signName: SIGN_NAME,
      templateCode: TEMPLATE_CODE,
      templateParam: '{"code":"##code##","min":"5"}',
    })
    assert.equal(raw.code, 'OK')
    const last = emu.messages().at(-1)
    assert.equal(last.schemeName, '默认方案', 'the raw call did not take the client default scheme')
    assert.equal(last.code.length, 4)
    const check = await c.checkSmsVerifyCode({ phoneNumber: last.phoneNumber, verifyCode: last.code })
    assert.equal(check.passed, true)
  })

  test('the raw typed call requires what the service requires', async () => {
    const e = await client.sendSmsVerifyCode({ phoneNumber: phone() }).catch((err) => err)
    assert.ok(e instanceof smsauth.SmsAuthError)
    assert.equal(e.code, 'ERR_SMSAUTH_INVALID_INPUT')
    assert.equal(e.field, 'SignName')
  })

  test('V1 (HMAC-SHA1) signing works end to end too', async () => {
    const v1 = clientFor(emu, { signatureVersion: 'v1' })
    assert.equal(v1.signatureVersion, 'v1')
    const to = phone()
    await v1.sendCode(to)
    assert.equal((await v1.checkCode(to, emu.lastCode(to))).passed, true)
  })

  test('STS credentials from the emulator sign requests until they expire', async () => {
    // Request timestamps checked against the real clock, so only the token expires.
    const own = startEmulator({ verifyWithEmulatedClock: false })
    try {
      const sts = own.issueSts(900)
      assert.match(sts.accessKeyId, /^STS\./)
      const c = new smsauth.Client({
        endpoint: own.endpoint,
        accessKeyId: sts.accessKeyId,
        accessKeySecret: sts.accessKeySecret,
        securityToken: sts.securityToken,
        signName: SIGN_NAME,
        templateCode: TEMPLATE_CODE,
      })
      const to = phone()
      await c.sendCode(to)
      assert.equal((await c.checkCode(to, own.lastCode(to))).passed, true)
      own.advanceClock(901)
      const e = await c.checkCode(to, '1234').catch((err) => err)
      assert.equal(e.code, 'ERR_SMSAUTH_AUTHENTICATION')
      assert.match(e.serviceCode, /^InvalidSecurityToken\.Expired/)
    } finally {
      own.close()
    }
  })

  test('a clock more than 15 minutes off is refused (InvalidTimeStamp.Expired)', async () => {
    const own = startEmulator()
    try {
      own.advanceClock(16 * 60)
      const e = await clientFor(own).checkCode(phone(), '1234').catch((err) => err)
      assert.equal(e.code, 'ERR_SMSAUTH_AUTHENTICATION')
      assert.equal(e.serviceCode, 'InvalidTimeStamp.Expired')
      assert.match(e.message, /NTP/)
    } finally {
      own.close()
    }
  })

  test('getters describe the client', () => {
    assert.equal(client.endpoint, `${emu.endpoint}/`)
    assert.equal(client.signatureVersion, 'v3')
    assert.match(client.userAgent, /^smsauth\/\d+\.\d+\.\d+ \(node; linux\)$/)
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    assert.equal(smsauth.version, pkg.version)
  })
})
