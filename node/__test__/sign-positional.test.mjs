// `sign()` hands its usual arguments (plain objects of strings) to the addon as NUL-separated
// fields, anything else as JSON text (`index.js`'s `signText` / `encode`): both must sign the
// same bytes and refuse the same things with the same messages.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { smsauth, thrown } from './helpers.mjs'

const { sign } = smsauth
const KEYS = { accessKeyId: 'testid', accessKeySecret: 'testsecret', timestamp: 1735787045, nonce: 'n-1' }

/** The same object with a null prototype: never the positional text. */
const general = (o) => Object.assign(Object.create(null), o)

/** What `sign` gives, or how it refuses. */
function outcome(request, keys) {
  try {
    return JSON.parse(JSON.stringify(sign(request, keys)))
  } catch (e) {
    return { refused: e.constructor.name, code: e.code, message: e.message }
  }
}

test('the positional text and the JSON text sign the same bytes, every field given or not', () => {
  const requests = [
    { action: 'SendSmsVerifyCode' },
    { action: 'CheckSmsVerifyCode', params: { PhoneNumber: '13800138000', VerifyCode: '1234' } },
    { host: '127.0.0.1:8080', action: 'A', version: '2020-01-01', method: 'GET', params: {}, headers: {} },
    { action: 'A', params: { 'a b': '中文 ~*', 2: 'index first', '': '' }, headers: { 'x-acs-extra': 'v', 'content-type': 'text/plain' } },
    { host: '', action: '', version: '', params: { k: 'line\nbreak' } },
    { host: 'bad host', action: 'A', method: 'GET\r\n', headers: { 'x-acs-k': 'line\nbreak' } },
  ]
  const options = [
    KEYS,
    { ...KEYS, signatureVersion: 'v1' },
    { ...KEYS, securityToken: 'sts-token', signatureVersion: 'v3' },
    { ...KEYS, timestamp: 0, nonce: '' },
  ]
  for (const request of requests) {
    for (const keys of options) {
      assert.deepEqual(outcome(request, keys), outcome(general(request), general(keys)), JSON.stringify([request, keys]))
    }
  }
})

test('a value holding a NUL is noticed and read from the JSON text instead', () => {
  const request = { action: 'A', params: { k: 'a\u0000b', 'k\u0000': 'c' } }
  assert.equal(sign(request, KEYS).query, 'k=a%00b&k%00=c')
  assert.deepEqual(outcome(request, KEYS), outcome(general(request), general(KEYS)))
  // A nonce is a header value: a NUL in it is refused by the core, whichever text carried it.
  for (const keys of [{ ...KEYS, nonce: 'a\u0000b' }, general({ ...KEYS, nonce: 'a\u0000b' })]) {
    assert.match(thrown(() => sign({ action: 'A' }, keys)).message, /nonce/)
  }
})

test('what only the JSON text can carry keeps its refusals and messages', () => {
  const cases = [
    [{ action: 'A', extra: 'x' }, KEYS, /extra/],
    [{ action: 5 }, KEYS, /request\.action.*string/],
    [{}, KEYS, /request\.action/],
    [{ action: 'A', params: { n: 1 } }, KEYS, /params/],
    [{ action: 'A' }, { ...KEYS, timestamp: 1.5 }, /timestamp/],
    [{ action: 'A' }, { ...KEYS, timestamp: -1 }, /timestamp/],
    [{ action: 'A' }, { accessKeyId: 'testid' }, /accessKeySecret/],
    [{ action: 'A' }, { ...KEYS, signatureVersion: 'v2' }, /v2|signature/i],
    [{ action: 'A\uD800' }, KEYS, /surrogate/],
  ]
  for (const [request, keys, message] of cases) {
    const fast = thrown(() => sign(request, keys))
    const slow = thrown(() => sign(general(request), general(keys)))
    assert.match(fast.message, message)
    assert.equal(fast.message, slow.message)
    assert.equal(fast.constructor, slow.constructor)
    assert.equal(fast.code, slow.code)
  }
})
