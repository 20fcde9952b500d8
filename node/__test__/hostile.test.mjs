// The hostile corpus (tests/vectors/hostile.json) through the JS Verifier: the same verdict
// (gateway code as serviceCode, error kind) as in Rust, C, Python and the emulator.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'

import { smsauth } from './helpers.mjs'

const { Verifier, sign } = smsauth

const corpus = JSON.parse(readFileSync(new URL('../../tests/vectors/hostile.json', import.meta.url), 'utf8'))

function request(r) {
  const body = r.body_hex !== undefined ? Buffer.from(r.body_hex, 'hex') : (r.body ?? '')
  return { method: r.method, path: r.path, query: r.query, headers: r.headers, body }
}

describe('hostile corpus', () => {
  for (const scenario of corpus.scenarios) {
    test(scenario.name, () => {
      const opts = scenario.verifier
      const verifier = new Verifier({
        windowSeconds: corpus.window_seconds,
        expectedHosts: corpus.expected_hosts,
        ...(opts.nonce_capacity !== undefined ? { nonceCapacity: opts.nonce_capacity } : {}),
        ...(opts.per_key_quota !== undefined ? { perKeyQuota: opts.per_key_quota } : {}),
      })
      scenario.steps.forEach((step, i) => {
        const run = () => verifier.verify(request(step.request), corpus.keys, step.now)
        if (step.expect === 'OK') {
          run()
          return
        }
        assert.throws(run, (e) => {
          assert.equal(e.serviceCode, step.expect, `step ${i}: ${e.message}`)
          assert.equal(e.kind, step.kind, `step ${i}`)
          return true
        })
      })
    })
  }
})

test('window and store bounds are typed errors', () => {
  assert.throws(() => new Verifier({ windowSeconds: 86401 }), (e) => e.kind === 'invalid_input' && e.field === 'window')
  assert.throws(() => new Verifier({ nonceCapacity: 0 }), (e) => e.kind === 'invalid_input')
  // Built without the `guard-redis` feature: a clear error, not a silent in-memory store.
  assert.throws(
    () => new Verifier({ nonceRedisUrl: 'redis://127.0.0.1:6379/' }),
    (e) => e.kind === 'invalid_input' && e.field === 'nonce_redis_url',
  )
})

test('the signer refuses what HTTP would change, and defaults the host', () => {
  const options = { accessKeyId: 'testid', accessKeySecret: 'testsecret', timestamp: 1735787045, nonce: 'n1' }
  for (const [request, field] of [
    [{ host: 'evil.example\r\nx: y', action: 'SendSmsVerifyCode' }, 'host'],
    [{ action: 'SendSmsVerifyCode', method: 'GE T' }, 'method'],
    [{ action: 'SendSmsVerifyCode', headers: [['x-acs-a', 'v\n']] }, 'headers'],
  ]) {
    assert.throws(() => sign(request, options), (e) => e.kind === 'invalid_input' && e.field === field)
  }
  const signed = sign({ action: 'SendSmsVerifyCode' }, options)
  assert.equal(signed.headers.find(([k]) => k === 'host')[1], 'dypnsapi.aliyuncs.com')
})
