// `sign()` reads a plain argument object in a few napi calls and anything else with the full
// reader: the outcome must be the same either way (same values, same refusals and messages).
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { smsauth, thrown } from './helpers.mjs'

const { sign } = smsauth
const KEYS = { accessKeyId: 'testid', accessKeySecret: 'testsecret', timestamp: 1735787045, nonce: 'n-1' }
const REQUEST = { action: 'SendSmsVerifyCode', params: { PhoneNumber: '13800138000' } }

test('plain objects, null properties and full-reader objects sign the same bytes', () => {
  const plain = sign(REQUEST, KEYS)
  const withNulls = sign({ ...REQUEST, host: null, headers: null }, { ...KEYS, securityToken: null })
  // `undefined` values and a null prototype take the full reader.
  const full = sign(Object.assign(Object.create(null), REQUEST, { host: undefined }), { ...KEYS, nonce: KEYS.nonce })
  for (const other of [withNulls, full]) {
    assert.equal(other.query, plain.query)
    assert.deepEqual(other.headers, plain.headers)
  }
})

test('what the full reader refuses is still refused, and reads what it reads', () => {
  const cases = [
    // A typo, a hidden property, an inherited one, a Map, a class instance.
    [{ ...KEYS, nonse: 'x' }, /nonse.*is not a known property.*did you mean "nonce"/],
    [Object.defineProperty({ ...KEYS }, 'signatureVersion', { value: 'v1', enumerable: false }), /options\.signatureVersion.*enumerable/],
    [Object.assign(Object.create({ nonce: 'inherited' }), { accessKeyId: 'testid', accessKeySecret: 'testsecret' }), null],
    [new Map(Object.entries(KEYS)), /Map/],
    [new (class Keys { accessKeyId = 'testid' })(), /accessKeySecret/],
  ]
  for (const [options, message] of cases) {
    if (message === null) {
      // The full reader reads inherited enumerable properties (`for…in` keys), as it always has.
      const signed = sign(REQUEST, options)
      assert.equal(signed.headers.find(([k]) => k === 'x-acs-signature-nonce')[1], 'inherited')
      continue
    }
    const e = thrown(() => sign(REQUEST, options))
    assert.match(e.message, message)
  }
})

test('the explanation is rebuilt on first read, the same for V1 and V3, and kept in JSON', () => {
  for (const signatureVersion of ['v1', 'v3']) {
    const signed = sign(REQUEST, { ...KEYS, signatureVersion })
    const explanation = signed.explanation
    assert.equal(signed.explanation, explanation, 'read once, then kept')
    const expected =
      signatureVersion === 'v3'
        ? smsauth.explainV3({
            method: signed.method,
            query: [...new URLSearchParams(signed.query)],
            // The V3 signer signs `host`, `content-type` and the `x-acs-*` headers.
            headers: signed.headers.filter(([k]) => k === 'host' || k === 'content-type' || k.startsWith('x-acs-')),
            accessKeyId: KEYS.accessKeyId,
            accessKeySecret: KEYS.accessKeySecret,
          })
        : smsauth.explainV1(signed.method, [...new URLSearchParams(signed.query)], KEYS.accessKeySecret)
    assert.equal(explanation.signature, expected.signature)
    assert.equal(explanation.stringToSign, expected.stringToSign)
    assert.equal(explanation.canonicalRequest, expected.canonicalRequest)
    const json = JSON.parse(JSON.stringify(signed))
    assert.deepEqual(json.explanation, { ...explanation })
    assert.deepEqual(Object.keys(json), ['version', 'method', 'path', 'query', 'pathAndQuery', 'headers', 'body', 'explanation'])
    // The other properties are plain data, as before.
    assert.deepEqual(Object.keys({ ...signed }), ['version', 'method', 'path', 'query', 'pathAndQuery', 'headers', 'body'])
  }
})

test('what JSON cannot carry reaches the native reader as what it was, and is refused', () => {
  const cases = [
    [{ ...REQUEST, params: new Map([['PhoneNumber', '13800138000']]) }, KEYS, TypeError, /"request\.params" property must be an object of strings/],
    [{ ...REQUEST, host: () => 'x' }, KEYS, TypeError, /"request\.host" property must be of type string\. Received function/],
    [{ ...REQUEST, host: 1n }, KEYS, TypeError, /Received type bigint/],
    [{ ...REQUEST, host: Symbol('h') }, KEYS, TypeError, /Received type symbol/],
    [REQUEST, { ...KEYS, timestamp: Number.NaN }, RangeError, /"options\.timestamp" property must be an integer.*Received NaN/],
    [REQUEST, { ...KEYS, timestamp: new Date(0) }, TypeError, /"options\.timestamp" property must be of type number\. Received an object/],
    [REQUEST, { ...KEYS, nonce: 'n\uD800' }, smsauth.SmsAuthError, /invalid options\.nonce: contains a lone surrogate/],
    [JSON.parse('{"action":"SendSmsVerifyCode","__proto__":{}}'), KEYS, smsauth.SmsAuthError, /"__proto__" is not a known property/],
    [undefined, KEYS, TypeError, /"request" argument must be of type object\. Received undefined/],
    [null, KEYS, TypeError, /"request" argument must be of type object\. Received null/],
  ]
  for (const [request, options, type, message] of cases) {
    const e = thrown(() => sign(request, options))
    assert.ok(e instanceof type, `${e}`)
    assert.match(e.message, message)
  }
  // A secret's value is never shown, whatever its type.
  assert.doesNotMatch(thrown(() => sign(REQUEST, { ...KEYS, accessKeySecret: 12345 })).message, /12345/)
})

test('cycles and deep objects are not walked: an unknown property is still named', () => {
  const cyclic = { a: 1 }
  cyclic.self = cyclic
  const e = thrown(() => sign({ ...REQUEST, extra: cyclic }, KEYS))
  assert.match(e.message, /"extra" is not a known property/)
  const deep = thrown(() => sign({ ...REQUEST, params: { PhoneNumber: cyclic } }, KEYS))
  assert.ok(deep instanceof TypeError, `${deep}`)
  assert.match(deep.message, /"request\.params" property must be an object of strings/)
})

test('verify looks secrets up in an object\'s own properties or through a function, and refuses anything else', () => {
  const verifier = new smsauth.Verifier({ checkNonces: false })
  const signed = sign(REQUEST, KEYS)
  const request = { method: signed.method, path: signed.path, query: signed.query, headers: signed.headers, body: signed.body }
  const now = KEYS.timestamp
  assert.equal(verifier.verify(request, { testid: 'testsecret' }, now).accessKeyId, 'testid')
  assert.equal(verifier.verify(request, (id) => (id === 'testid' ? 'testsecret' : undefined), now).action, 'SendSmsVerifyCode')
  // Inherited properties are not secrets.
  const inherited = thrown(() => verifier.verify(request, Object.create({ testid: 'testsecret' }), now))
  assert.equal(inherited.code, 'ERR_SMSAUTH_AUTHENTICATION')
  for (const bad of ['testsecret', [], null]) {
    const e = thrown(() => verifier.verify(request, bad, now))
    assert.ok(e instanceof TypeError && /"secrets" argument/.test(e.message), `${e}`)
  }
})
