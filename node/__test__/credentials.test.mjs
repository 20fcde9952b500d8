// Credentials selection: the default chain when no keys are given, a named profile, and a RAM
// role. Each live case runs in a child process with its own environment (a temporary HOME and
// credentials file), so nothing leaks into this process or from the machine's own setup.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { after, before, describe, test } from 'node:test'

import { SIGN_NAME, TEMPLATE_CODE, phone, smsauth, startEmulator, thrown } from './helpers.mjs'

const run = promisify(execFile)
const ENTRY = fileURLToPath(new URL('../index.js', import.meta.url))

// Sends a code and checks it with `options` (JSON in argv[1]); prints one JSON line.
const CHILD = `
const { Client } = require(process.argv[1])
const [options, to] = JSON.parse(process.argv[2])
;(async () => {
  try {
    const client = new Client(options)
    const sent = await client.sendCode(to, { returnVerifyCode: true })
    const checked = await client.checkCode(to, sent.verifyCode)
    console.log(JSON.stringify({ verifyCode: sent.verifyCode, passed: checked.passed }))
  } catch (e) {
    console.log(JSON.stringify({ error: e.code, message: e.message }))
  }
})()
`

describe('credentials selection', () => {
  let emu
  let dir
  before(() => {
    emu = startEmulator()
    dir = mkdtempSync(join(tmpdir(), 'smsauth-node-cred-'))
    writeFileSync(
      join(dir, 'credentials'),
      [
        '[default]',
        'type = access_key',
        'access_key_id = wrong-default-id',
        'access_key_secret = wrong-default-secret',
        '',
        '[emu]',
        'type = access_key',
        `access_key_id = ${emu.accessKeyId}`,
        `access_key_secret = ${emu.accessKeySecret}`,
        '',
      ].join('\n'),
    )
  })
  after(() => {
    emu.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** Run CHILD with `options` in a clean environment plus `extraEnv`. */
  async function child(options, extraEnv = {}) {
    const env = { PATH: process.env.PATH, HOME: dir, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', ...extraEnv }
    const to = phone()
    const base = { endpoint: emu.endpoint, signName: SIGN_NAME, templateCode: TEMPLATE_CODE }
    const { stdout } = await run(process.execPath, ['-e', CHILD, ENTRY, JSON.stringify([{ ...base, ...options }, to])], {
      env,
      timeout: 30_000,
    })
    return { to, result: JSON.parse(stdout.trim()) }
  }

  test("profile: 'emu' reads that section of ALIBABA_CLOUD_CREDENTIALS_FILE; send and check pass", async () => {
    const { to, result } = await child({ profile: 'emu' }, { ALIBABA_CLOUD_CREDENTIALS_FILE: join(dir, 'credentials') })
    assert.deepEqual(Object.keys(result).sort(), ['passed', 'verifyCode'], JSON.stringify(result))
    assert.equal(result.passed, true)
    assert.equal(result.verifyCode, emu.messages(to)[0].code)
  })

  test('without the profile option the chain uses [default], whose keys the emulator rejects', async () => {
    const { to, result } = await child({}, { ALIBABA_CLOUD_CREDENTIALS_FILE: join(dir, 'credentials') })
    assert.equal(result.error, 'ERR_SMSAUTH_AUTHENTICATION', JSON.stringify(result))
    assert.deepEqual(emu.messages(to), [])
  })

  test('a profile that does not exist is a credentials error, and nothing is sent', async () => {
    const count = emu.requestCount()
    const { result } = await child({ profile: 'nope' }, { ALIBABA_CLOUD_CREDENTIALS_FILE: join(dir, 'credentials') })
    assert.equal(result.error, 'ERR_SMSAUTH_CREDENTIALS', JSON.stringify(result))
    assert.match(result.message, /nope/)
    assert.equal(emu.requestCount(), count)
  })

  test('no keys: the default chain reads ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET', async () => {
    const { to, result } = await child(
      {},
      { ALIBABA_CLOUD_ACCESS_KEY_ID: emu.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.accessKeySecret },
    )
    assert.equal(result.passed, true, JSON.stringify(result))
    assert.equal(result.verifyCode, emu.messages(to)[0].code)
  })

  test('conflicting or invalid selections are refused when the client is built', () => {
    const keys = { accessKeyId: 'id', accessKeySecret: 'secret' }
    let e = thrown(() => new smsauth.Client({ ...keys, profile: 'prod' }))
    assert.equal(e.code, 'ERR_SMSAUTH_INVALID_INPUT')
    assert.equal(e.field, 'options.profile')
    assert.match(e.message, /not both/)
    e = thrown(() => new smsauth.Client({ profile: ' ' }))
    assert.equal(e.field, 'options.profile')
    e = thrown(() => new smsauth.Client({ roleArn: { arn: '' } }))
    assert.equal(e.code, 'ERR_SMSAUTH_INVALID_INPUT')
    assert.equal(e.field, 'options.roleArn')
    e = thrown(() => new smsauth.Client({ roleArn: { arn: 'acs:ram::123456789012:role/sms', durationSeconds: 60 } }))
    assert.equal(e.field, 'options.roleArn.durationSeconds')
    e = thrown(() => new smsauth.Client({ roleArn: { sessionName: 'signup' } }))
    assert.equal(e.code, 'ERR_SMSAUTH_INVALID_INPUT')
    assert.equal(e.field, 'options.roleArn')
    e = thrown(() => new smsauth.Client({ roleArn: { role: 'acs:ram::123456789012:role/sms' } }))
    assert.match(e.message, /"role" is not a known property/)
    e = thrown(() => new smsauth.Client({ roleArn: { arn: 'acs:ram::1:role/x', sesionName: 'a' } }))
    assert.match(e.message, /did you mean "sessionName"/)
    // Valid selections build (nothing is read or sent until the first call).
    new smsauth.Client({ roleArn: 'acs:ram::123456789012:role/sms' })
    new smsauth.Client({ ...keys, roleArn: { arn: 'acs:ram::123456789012:role/sms', sessionName: 'signup' } })
    new smsauth.Client({ profile: 'prod', roleArn: { arn: 'acs:ram::123456789012:role/sms', durationSeconds: 900 } })
  })
})
