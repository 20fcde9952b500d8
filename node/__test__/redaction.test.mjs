// Secrets (the AccessKey secret and the STS token) never appear in util.inspect, JSON.stringify,
// error messages or stacks — whatever the user passes and whatever fails.
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { after, before, describe, test } from 'node:test'

import { Client, clientFor, phone, rejection, smsauth, startEmulator, thrown } from './helpers.mjs'

const SECRET = 'Sup3rS3cret-canary-7f3a9c'
const TOKEN = 'T0ken-canary-41d2e8b6'

/**
 * Every way an object is commonly logged. Values handed out on purpose (an issued STS secret, a
 * verified request's token) are non-enumerable: hidden from these, shown only when asked for
 * with `showHidden`.
 */
function renderings(value, hidden = true) {
  const out = [
    inspect(value),
    inspect(value, { depth: Infinity, getters: true }),
    JSON.stringify(value) ?? '',
    String(value),
    `${JSON.stringify(Object.entries(value ?? {}))}`,
    JSON.stringify({ ...value }),
  ]
  if (hidden) out.push(inspect(value, { showHidden: true, depth: Infinity, getters: true }))
  if (value instanceof Error) out.push(value.message, value.stack ?? '', JSON.stringify({ ...value }))
  return out
}

function assertClean(value, ...secrets) {
  assertCleanOf(value, true, secrets)
}

function assertEnumerablesClean(value, ...secrets) {
  assertCleanOf(value, false, secrets)
}

function assertCleanOf(value, hidden, secrets) {
  for (const text of renderings(value, hidden)) {
    for (const s of secrets.length ? secrets : [SECRET, TOKEN]) {
      assert.ok(!text.includes(s), `secret leaked in: ${text.slice(0, 400)}`)
    }
  }
}

describe('redaction', () => {
  let emu
  before(() => {
    emu = startEmulator()
  })
  after(() => emu.close())

  test('a client never shows its secret or token', () => {
    const c = new Client({
      endpoint: emu.endpoint,
      accessKeyId: 'LTAI5tVisibleKeyId',
      accessKeySecret: SECRET,
      securityToken: TOKEN,
    })
    assertClean(c)
    assert.match(inspect(c), /endpoint: 'http:\/\/127\.0\.0\.1:\d+\/'/)
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(c))), ['endpoint', 'signatureVersion', 'userAgent'])
  })

  test('errors from a wrong secret or a bad token do not contain them', async () => {
    const wrong = clientFor(emu, { accessKeySecret: SECRET })
    const e = await rejection(wrong.sendCode(phone()))
    assert.equal(e.serviceCode, 'SignatureDoesNotMatch')
    assertClean(e)
    const sts = clientFor(emu, { securityToken: TOKEN })
    const e2 = await rejection(sts.checkCode(phone(), '1234'))
    assert.equal(e2.code, 'ERR_SMSAUTH_AUTHENTICATION')
    assertClean(e2)
  })

  test('a wrongly typed secret is not echoed in the TypeError', () => {
    for (const options of [
      { accessKeyId: 'id', accessKeySecret: 987654321 },
      { accessKeyId: 'id', accessKeySecret: 'x', securityToken: 987654321 },
    ]) {
      const e = thrown(() => new Client(options))
      assert.ok(e instanceof TypeError)
      assertClean(e, '987654321')
    }
    const e = thrown(() => smsauth.explainV1('GET', {}, 987654321))
    assertClean(e, '987654321')
  })

  test('emulator: the object and issued STS credentials hide their secrets', () => {
    const own = startEmulator({ accessKeyId: 'emu-id', accessKeySecret: SECRET })
    try {
      assertClean(own)
      assert.equal(own.accessKeySecret, SECRET, 'still readable on purpose')
      const sts = own.issueSts(60)
      assertEnumerablesClean(sts, sts.accessKeySecret, sts.securityToken)
      assert.ok(sts.accessKeySecret.length > 8 && sts.securityToken.length > 8)
      assert.deepEqual(Object.keys(sts).sort(), ['accessKeyId', 'expiresAt'])
    } finally {
      own.close()
    }
  })

  test('a verified request keeps its STS token out of logs', () => {
    const signed = smsauth.sign(
      { host: 'h', action: 'CheckSmsVerifyCode', params: { PhoneNumber: '13800138000' } },
      { accessKeyId: 'id', accessKeySecret: SECRET, securityToken: TOKEN, timestamp: 1_700_000_000, nonce: 'n' },
    )
    assertClean(signed.explanation, SECRET)
    const v = new smsauth.Verifier().verify(
      { method: signed.method, query: signed.query, headers: signed.headers },
      { id: SECRET },
      1_700_000_000,
    )
    assert.equal(v.securityToken, TOKEN)
    assertEnumerablesClean(v)
  })
})
