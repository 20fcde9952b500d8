// The shared behaviour table (tests/behaviour/*.json) through the JavaScript API: the same rows
// the Rust, C and Python suites run, asserted the Node way (option objects, error `kind`/`field`).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'

import { Client, clientFor, smsauth, startEmulator } from './helpers.mjs'

const table = (name) =>
  JSON.parse(readFileSync(new URL(`../../tests/behaviour/${name}`, import.meta.url), 'utf8')).cases

/** The core's field names as this package reports them: options by their path below `options`. */
const FIELDS = {
  access_key_id: 'options.accessKeyId',
  access_key_secret: 'options.accessKeySecret',
  security_token: 'options.securityToken',
  profile: 'options.profile',
  role_arn: 'options.roleArn',
  duration_seconds: 'options.roleArn.durationSeconds',
  scheme: 'options.scheme',
  timeout: 'options.timeoutMs',
  connect_timeout: 'options.connectTimeoutMs',
  read_timeout: 'options.readTimeoutMs',
  'retry.max_attempts': 'options.retry.maxAttempts',
  'guard.phone.max': 'options.guard.phone.max',
  'guard.client.window_seconds': 'options.guard.client.windowSeconds',
  'guard.wrong_code.lockout_seconds': 'options.guard.wrongCode.lockSeconds',
  ttl_seconds: 'ttlSeconds',
}

/** The table's options as `new Client()` takes them. */
function clientOptions(options) {
  const out = {}
  const role = () => (out.roleArn ??= {})
  const retry = () => (out.retry ??= {})
  for (const [key, value] of Object.entries(options)) {
    switch (key) {
      case 'access_key_id': out.accessKeyId = value; break
      case 'access_key_secret': out.accessKeySecret = value; break
      case 'security_token': out.securityToken = value; break
      case 'profile': out.profile = value; break
      case 'role_arn': role().arn = value; break
      case 'role_session_name': role().sessionName = value; break
      case 'role_duration_seconds': role().durationSeconds = value; break
      case 'endpoint': out.endpoint = value; break
      case 'scheme': out.scheme = value; break
      case 'max_attempts': retry().maxAttempts = value; break
      case 'initial_backoff_ms': retry().initialBackoffMs = value; break
      case 'max_backoff_ms': retry().maxBackoffMs = value; break
      case 'max_retry_after_ms': retry().maxRetryAfterMs = value; break
      case 'timeout_ms': out.timeoutMs = value; break
      case 'connect_timeout_ms': out.connectTimeoutMs = value; break
      case 'read_timeout_ms': out.readTimeoutMs = value; break
      default: {
        // A guard given by the parts of one limit (`guard.phone.max`) or of the wrong-code rule.
        const [group, rule, part] = key.split('.')
        if (group !== 'guard') throw new Error(`unknown option ${key}: add it to this runner`)
        const guard = (out.guard ??= {})
        if (rule === 'wrong_code') {
          const names = { max_wrong: 'max', window_seconds: 'windowSeconds', lockout_seconds: 'lockSeconds' }
          ;(guard.wrongCode ??= {})[names[part]] = value
        } else {
          ;(guard[rule] ??= [{}])[0][part === 'max' ? 'max' : 'windowSeconds'] = value
        }
      }
    }
  }
  return out
}

function assertError(e, expect) {
  assert.ok(e instanceof smsauth.SmsAuthError, String(e))
  assert.equal(e.kind, expect.kind, e.message)
  if (expect.field !== undefined) assert.equal(e.field, FIELDS[expect.field] ?? expect.field, e.message)
}

for (const row of table('client.json')) {
  test(`client: ${row.name}`, { skip: row.skip?.node }, () => {
    const options = clientOptions(row.options)
    if (row.expect.kind !== undefined) {
      assertError(thrownBy(() => new Client(options)), row.expect)
    } else {
      assert.equal(new Client(options).endpoint, row.expect.endpoint)
    }
  })
}

for (const row of table('emulator.json')) {
  test(`emulator: ${row.name}`, { skip: row.skip?.node }, async () => {
    const emu = startEmulator()
    try {
      const client = clientFor(emu)
      for (const step of row.steps) {
        switch (step.op) {
          case 'check':
            assert.equal((await client.checkCode('13800138000', '1234')).passed, false)
            break
          case 'reset':
            emu.reset()
            break
          case 'request_count':
            assert.equal(emu.requestCount(), step.expect, JSON.stringify(step))
            break
          case 'issue_sts':
            if (step.expect) assertError(thrownBy(() => emu.issueSts(step.ttl_seconds)), step.expect)
            else assert.ok(emu.issueSts(step.ttl_seconds).accessKeyId)
            break
          default:
            throw new Error(`unknown step ${step.op}: add it to this runner`)
        }
      }
    } finally {
      emu.close()
    }
  })
}

/** What `fn` throws; fails if it returns. */
function thrownBy(fn) {
  try {
    fn()
  } catch (e) {
    return e
  }
  return assert.fail('expected an exception')
}
