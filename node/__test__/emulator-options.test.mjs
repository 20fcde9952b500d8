// `startEmulator(options)` reads the emulator's one option table: the same names (camel-cased),
// kinds and errors as Python's `Emulator(**options)` and C's `smsauth_emulator_start_with_options`.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { clientFor, startEmulator, thrown } from './helpers.mjs'

test('accounts and timestampWindowSeconds come from the table', async () => {
  const emu = startEmulator({ accounts: [['k1', 's1'], ['k2', 's2']], timestampWindowSeconds: 60 })
  try {
    assert.equal(emu.accessKeyId, 'k1')
    assert.ok((await clientFor(emu).sendCode('13800138000')).requestId)
  } finally {
    emu.close()
  }
})

test('bad options name the option', () => {
  for (const [options, field] of [
    [{ templates: ['x'] }, 'templates'],
    [{ accounts: [['only-an-id']] }, 'accounts'],
  ]) {
    const e = thrown(() => startEmulator(options))
    assert.equal(e.code, 'ERR_SMSAUTH_INVALID_INPUT', e.message)
    assert.equal(e.field, field)
  }
  assert.equal(thrown(() => startEmulator({ lenient: 1 })).code, 'ERR_INVALID_ARG_TYPE')
  assert.match(thrown(() => startEmulator({ maxWrongTrys: 1 })).message, /did you mean "maxWrongTries"/)
})
