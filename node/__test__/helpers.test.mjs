// The shared test helpers themselves: a helper that cannot fail would make every test that uses
// it unable to fail too.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { rejection, thrown } from './helpers.mjs'

test('rejection() returns the reason of a rejected promise', async () => {
  const reason = new Error('refused')
  assert.equal(await rejection(Promise.reject(reason)), reason)
})

test('rejection() fails when the promise resolves', async () => {
  await assert.rejects(rejection(Promise.resolve({ ok: true })), {
    message: 'expected a rejection, got {"ok":true}',
  })
})

test('thrown() returns what the function throws', () => {
  const error = new TypeError('bad')
  assert.equal(
    thrown(() => {
      throw error
    }),
    error,
  )
})

test('thrown() fails when the function returns', () => {
  assert.throws(() => thrown(() => 42), { message: 'expected a throw' })
})
