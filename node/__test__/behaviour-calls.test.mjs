// The shared behaviour table's call rows (tests/behaviour/calls.json) through the JavaScript
// API: sends and checks against a fresh emulator, asserted the Node way (the error's `kind`,
// `field`, `serviceCode`, `delivery`).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'

import { clientFor, smsauth, startEmulator } from './helpers.mjs'

const rows = JSON.parse(readFileSync(new URL('../../tests/behaviour/calls.json', import.meta.url), 'utf8')).cases

/** The table's snake-case names as JavaScript's camel-case properties. */
const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
const camelKeys = (obj = {}) => Object.fromEntries(Object.entries(obj).map(([k, v]) => [camel(k), v]))

/** The row's client options as `new Client()` takes them. */
function clientOptions({ max_attempts: maxAttempts, ...rest } = {}) {
  return { ...camelKeys(rest), ...(maxAttempts === undefined ? {} : { retry: { maxAttempts } }) }
}

/** Await `call`; an error must be the one `expect` names, key by key. */
async function outcome(call, expect) {
  if (expect.kind === undefined) return call()
  const e = await Promise.resolve().then(call).then(() => assert.fail('expected an error'), (e) => e)
  assert.ok(e instanceof smsauth.SmsAuthError, String(e))
  assert.equal(e.kind, expect.kind, e.message)
  for (const key of ['field', 'service_code', 'delivery']) {
    if (expect[key] !== undefined) assert.equal(e[camel(key)], expect[key], `${key}: ${e.message}`)
  }
  return undefined
}

test('the call table is loaded', () => assert.ok(rows.length >= 10))

for (const row of rows) {
  test(`calls: ${row.name}`, async () => {
    const emu = startEmulator(camelKeys(row.emulator))
    try {
      const client = clientFor(emu, clientOptions(row.client))
      for (const step of row.steps) {
        const what = JSON.stringify(step)
        switch (step.op) {
          case 'send': {
            const result = await outcome(() => client.sendCode(step.phone), step.expect)
            assert.ok(result !== undefined || step.expect.kind !== undefined, what)
            break
          }
          case 'check': {
            const code = step.code === 'last' ? emu.lastCode(step.phone) : step.code
            const result = await outcome(() => client.checkCode(step.phone, code), step.expect)
            if (result !== undefined) assert.equal(result.passed, step.expect.passed, what)
            break
          }
          case 'fault':
            emu.addFault(camelKeys(step.fault))
            break
          case 'advance_clock':
            emu.advanceClock(step.seconds)
            break
          case 'outbox':
            assert.equal(emu.messages(step.phone).length, step.expect, what)
            break
          case 'request_count':
            assert.equal(emu.requestCount(), step.expect, what)
            break
          default:
            throw new Error(`unknown step ${step.op}: add it to every runner`)
        }
      }
    } finally {
      emu.close()
    }
  })
}
