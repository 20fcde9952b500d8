// The shared behaviour table's sign and verify rows (tests/behaviour/sign.json) through the
// JavaScript API: `sign(request, options)` and `new Verifier().verify(request, secrets, now)`,
// asserted the Node way (error `kind`, `field`, `serviceCode`).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'

import { smsauth } from './helpers.mjs'

const { Verifier, parseTimestamp, sign } = smsauth
const rows = JSON.parse(readFileSync(new URL('../../tests/behaviour/sign.json', import.meta.url), 'utf8')).cases

/** The core's field names as this package reports them. */
const FIELDS = { signature_version: 'options.signatureVersion' }

/** The row's inputs as `sign(request, options)` takes them. */
function signRow(s) {
  const request = { host: s.host, action: s.action, version: s.version, method: s.method, params: s.params, headers: s.headers }
  const options = {
    accessKeyId: s.access_key_id ?? 'testid',
    accessKeySecret: s.access_key_secret ?? 'testsecret',
    securityToken: s.security_token,
    signatureVersion: s.signature_version,
    timestamp: s.timestamp,
    nonce: s.nonce,
  }
  return sign(request, options)
}

function outcome(row) {
  const signed = signRow(row.sign)
  const v = row.verify
  if (v === undefined) return signed
  let query = (v.query_prefix ?? '') + signed.query
  if (v.replace) query = query.replaceAll(v.replace[0], v.replace[1])
  const request = { method: signed.method, path: signed.path, query, headers: signed.headers }
  return new Verifier({ checkNonces: false }).verify(request, { testid: 'testsecret' }, v.now)
}

const header = (signed, name) => signed.headers.find(([k]) => k.toLowerCase() === name)?.[1]

test('the table has rows', () => assert.ok(rows.length >= 15))

for (const row of rows) {
  test(`sign: ${row.name}`, { skip: row.skip?.node }, () => {
    const e = row.expect
    if (e.kind !== undefined) {
      let thrown
      try {
        outcome(row)
      } catch (err) {
        thrown = err
      }
      assert.ok(thrown instanceof smsauth.SmsAuthError, String(thrown))
      assert.equal(thrown.kind, e.kind, thrown.message)
      if (e.field !== undefined) assert.equal(thrown.field, FIELDS[e.field] ?? e.field, thrown.message)
      assert.equal(thrown.serviceCode, e.code, thrown.message)
      return
    }
    const got = outcome(row)
    if (row.verify) {
      assert.equal(got.action, e.action)
      assert.deepEqual(got.params.find(([k]) => k === e.param[0]), e.param)
      return
    }
    if (e.version !== undefined) assert.equal(got.version, e.version)
    if (e.method !== undefined) assert.equal(got.method, e.method)
    for (const [name, value] of e.headers ?? []) assert.equal(header(got, name), value, name)
    if (e.query !== undefined) assert.equal(got.query, e.query)
    if (e.signature !== undefined) assert.equal(got.explanation.signature, e.signature)
    if (e.fresh) {
      assert.match(header(got, 'x-acs-signature-nonce'), /^[0-9a-f]{32}$/)
      assert.ok(Math.abs(parseTimestamp(header(got, 'x-acs-date')) - Date.now() / 1000) <= 60)
    }
  })
}
