// Secrets (the AccessKey secret and the STS token) never appear in util.inspect, JSON.stringify,
// String(), error messages or stacks, or anything the process prints with every log switch on —
// whatever the user passes and whatever fails.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { inspect } from 'node:util'
import { after, before, describe, test } from 'node:test'

import { Client, SIGN_NAME, TEMPLATE_CODE, clientFor, phone, rejection, smsauth, startEmulator, thrown } from './helpers.mjs'

const PACKAGE_DIR = new URL('..', import.meta.url).pathname
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

  // Issue #8: real STS credentials through successful and failing calls, V1 and V3. The gateway
  // echoes the V1 string-to-sign (token included) in `SignatureDoesNotMatch`; the core redacts it.
  for (const signatureVersion of ['v1', 'v3']) {
    test(`STS secret and token stay out of results and errors of real calls (${signatureVersion})`, async () => {
      const sts = emu.issueSts(3600)
      const secrets = [sts.accessKeySecret, sts.securityToken]
      const options = { signatureVersion, accessKeyId: sts.accessKeyId, retry: { maxAttempts: 1 } }
      const good = clientFor(emu, { ...options, accessKeySecret: sts.accessKeySecret, securityToken: sts.securityToken })
      const to = phone()
      const seen = [good, await good.sendCode(to, { returnVerifyCode: true }), await good.checkCode(to, '0000')]
      const failures = [
        ['wrong secret', () => clientFor(emu, { ...options, accessKeySecret: `wrong-${sts.accessKeySecret}`, securityToken: sts.securityToken }).sendCode(phone())],
        ['wrong token', () => clientFor(emu, { ...options, accessKeySecret: sts.accessKeySecret, securityToken: `${sts.securityToken}x` }).checkCode(phone(), '1234')],
        ['throttled', () => good.sendCode(to)],
      ]
      for (const [what, call] of failures) {
        const e = await rejection(call())
        assert.ok(e instanceof smsauth.SmsAuthError, `${what}: ${e}`)
        seen.push(e)
      }
      assert.deepEqual(
        seen.slice(3).map((e) => e.code),
        ['ERR_SMSAUTH_AUTHENTICATION', 'ERR_SMSAUTH_AUTHENTICATION', 'ERR_SMSAUTH_THROTTLED'],
      )
      for (const value of seen) assertClean(value, ...secrets)
    })
  }

  // The binding has no logger of its own (the core's `tracing` events have no subscriber in
  // Node); what a process can print is the emulator's request log and Node's own debug output.
  // Both at their most verbose, with every log switch a user might try, must not show a secret.
  test('nothing the process prints at the most verbose level shows a secret or token', () => {
    const script = `
      const { Client, startEmulator } = require('./index.js')
      const emu = startEmulator({ logRequests: true })
      const sts = emu.issueSts(3600)
      console.error('CANARIES ' + JSON.stringify([sts.accessKeySecret, sts.securityToken]))
      const calls = []
      for (const signatureVersion of ['v1', 'v3']) {
        const c = (secret, token) => new Client({ endpoint: emu.endpoint, signatureVersion, accessKeyId: sts.accessKeyId,
          accessKeySecret: secret, securityToken: token, signName: ${JSON.stringify(SIGN_NAME)},
          templateCode: ${JSON.stringify(TEMPLATE_CODE)}, retry: { maxAttempts: 1 } })
        const good = c(sts.accessKeySecret, sts.securityToken)
        calls.push(good.sendCode('1380013800' + (signatureVersion === 'v1' ? 1 : 3)), good.checkCode('13800138000', '1234'),
          c('wrong', sts.securityToken).sendCode('13900000000'), c(sts.accessKeySecret, 'wrong').checkCode('13900000000', '1234'))
      }
      Promise.allSettled(calls).then((rs) => {
        for (const r of rs) console.log(r.status, r.status === 'rejected' ? r.reason.stack : JSON.stringify(r.value))
        emu.close()
      })`
    const env = { ...process.env, RUST_LOG: 'trace', SMSAUTH_LOG: 'trace', RUST_BACKTRACE: 'full', NODE_DEBUG: 'http,net,tls,fs,child_process,worker' }
    const run = spawnSync(process.execPath, ['-e', script], { cwd: PACKAGE_DIR, env, encoding: 'utf8', timeout: 30_000 })
    assert.equal(run.status, 0, run.stderr)
    const { stdout: out, stderr: err } = run
    const [, canaries] = /CANARIES (.*)/.exec(err)
    const secrets = JSON.parse(canaries)
    const captured = `${out}\n${err.replace(/CANARIES .*/, '')}`
    assert.equal((captured.match(/^(fulfilled|rejected) /gm) ?? []).length, 8, captured)
    assert.match(captured, /SignatureDoesNotMatch/, 'the failures were printed')
    assert.match(err, /SendSmsVerifyCode/, "the emulator's request log was captured")
    for (const s of secrets) assert.ok(!captured.includes(s), `secret leaked in: ${captured}`)
  })
})
