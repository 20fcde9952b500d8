// The ES module entry: `import { Client } from 'smsauth'`, the default export and the CommonJS
// entry all give the same objects (no "is not a constructor" surprises).
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

import smsauthDefault, * as ns from 'smsauth'
import { Client, SmsAuthError, startEmulator } from 'smsauth'

const require = createRequire(import.meta.url)
const cjs = require('smsauth')

test('named, default and namespace imports are the CommonJS exports', () => {
  assert.equal(Client, cjs.Client)
  assert.equal(smsauthDefault, cjs)
  assert.equal(ns.default, cjs)
  assert.deepEqual(
    Object.keys(ns)
      .filter((k) => k !== 'default')
      .sort(),
    Object.keys(cjs).sort(),
    'index.mjs re-exports every name of index.js',
  )
  for (const k of Object.keys(cjs)) assert.equal(ns[k], cjs[k], k)
})

test('the ESM Client is a constructor and works end to end', async () => {
  const emu = startEmulator()
  try {
    for (const C of [Client, smsauthDefault.Client, ns.Client]) {
      const c = new C({
        endpoint: emu.endpoint,
        accessKeyId: emu.accessKeyId,
        accessKeySecret: emu.accessKeySecret,
        signName: '速通互联验证码',
        templateCode: '100001',
      })
      const e = await c.checkCode('13800138000', '12').catch((err) => err)
      assert.ok(e instanceof SmsAuthError)
      assert.ok(e instanceof cjs.SmsAuthError, 'one error class for both entries')
      assert.equal((await c.checkCode('13800138000', '1234')).passed, false)
    }
  } finally {
    emu.close()
  }
})

test('only the package entry is exported', async () => {
  await assert.rejects(import('smsauth/native.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' })
  assert.equal(require('smsauth/package.json').name, 'smsauth')
})
