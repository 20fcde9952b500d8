// Release smoke test for the packed npm tarballs: send + check against a running emulator.
//
//   node smoke.mjs ENDPOINT ACCESS_KEY_ID ACCESS_KEY_SECRET PHONE
//
// Run from a project that installed smsauth (and its platform package) from the tarballs. Uses
// both the CommonJS and the ES module entry points. Prints "node smoke: ok (...)" or throws.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { Client, ErrorCode, SmsAuthError } from 'smsauth'

const require = createRequire(import.meta.url)
const cjs = require('smsauth')
const [endpoint, accessKeyId, accessKeySecret, phone] = process.argv.slice(2)

async function outboxCode(number) {
  const resp = await fetch(`${endpoint}/_emulator/messages?phone=${encodeURIComponent(number)}`)
  const { messages } = await resp.json()
  assert.ok(messages.length > 0, `no message in the emulator's outbox for ${number}`)
  return messages[messages.length - 1].code
}
const wrong = (code) => (code[0] === '0' ? '1' : '0') + code.slice(1)

const client = new Client({ accessKeyId, accessKeySecret, endpoint, signName: '速通互联验证码', templateCode: '100001' })
const sent = await client.sendCode(phone, { returnVerifyCode: true })
const code = await outboxCode(phone)
assert.equal(sent.verifyCode, code, 'the returned code differs from the outbox')
assert.equal((await client.checkCode(phone, wrong(code))).passed, false, 'a wrong code passed')
assert.equal((await client.checkCode(phone, code)).passed, true, 'the right code did not pass')
assert.equal((await client.checkCode(phone, code)).passed, false, 'a used code passed again')
await assert.rejects(client.sendCode(phone), (e) => {
  assert.ok(e instanceof SmsAuthError)
  assert.equal(e.code, ErrorCode.THROTTLED)
  return true
})
assert.equal(cjs.Client, Client, 'CommonJS and ES module entry points differ')
const pkg = require('smsauth/package.json')
const native = Object.keys(pkg.optionalDependencies ?? {}).filter((d) => {
  try {
    require.resolve(`${d}/package.json`)
    return true
  } catch {
    return false
  }
})
console.log(`node smoke: ok (smsauth ${pkg.version}, platform package ${native.join(', ') || 'none'}, on ${process.arch})`)
