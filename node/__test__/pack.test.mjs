// The package as users get it: `npm pack`, then `npm install <tarball>` into an empty folder
// (offline: the package has no dependencies) and a send + check from there, through both entries.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'smsauth-pack-'))
after(() => rmSync(work, { recursive: true, force: true }))

const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

test('npm pack ships exactly the runtime files, and the tarball installs and runs offline', () => {
  // Pack a copy whose addon has its debug info stripped: a debug build is ~90 MB, which only
  // makes gzip slow. The copy has the same package.json, so npm selects the same files.
  const stage = join(work, 'stage')
  cpSync(PACKAGE_DIR, stage, { recursive: true, filter: (src) => !src.includes('node_modules') })
  for (const f of readdirSync(stage).filter((n) => n.endsWith('.node'))) {
    try {
      execFileSync('strip', ['--strip-debug', join(stage, f)])
    } catch {
      // No binutils: pack the unstripped addon (slower, same result).
    }
  }
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], stage))
  assert.equal(packed.name, 'smsauth')
  assert.deepEqual(packed.files.map((f) => f.path).sort(), [
    'README.md',
    'index.d.mts',
    'index.d.ts',
    'index.js',
    'index.mjs',
    'native.d.ts',
    'native.js',
    'package.json',
    'requests.d.ts',
    'smsauth.linux-x64-gnu.node',
  ])

  const app = join(work, 'app')
  execFileSync('mkdir', ['-p', app])
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, version: '1.0.0' }))
  npm(['install', '--offline', '--no-audit', '--no-fund', join(work, packed.filename)], app)
  assert.deepEqual(readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.')), ['smsauth'], 'no dependencies')
  assert.ok(existsSync(join(app, 'node_modules/smsauth/smsauth.linux-x64-gnu.node')))

  const script = (load) => `
    ${load}
    const emu = startEmulator()
    const client = new Client({ endpoint: emu.endpoint, accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret, signName: '速通互联验证码', templateCode: '100001' })
    ;(async () => {
      const sent = await client.sendCode('+86 138 0013 8000')
      const code = emu.lastCode('13800138000')
      const wrong = await client.checkCode('13800138000', code === '0000' ? '1111' : '0000')
      const right = await client.checkCode('13800138000', code)
      const again = await client.sendCode('13800138000').catch((e) => e)
      emu.close()
      console.log(JSON.stringify({ sent: sent.code, wrong: wrong.passed, right: right.passed,
        again: again instanceof SmsAuthError && again.code, where: RESOLVED }))
    })()`
  const expected = { sent: 'OK', wrong: false, right: true, again: 'ERR_SMSAUTH_THROTTLED' }
  const cjs = script(`const { Client, SmsAuthError, startEmulator } = require('smsauth')
    const RESOLVED = require.resolve('smsauth')`)
  writeFileSync(join(app, 'main.cjs'), cjs)
  const esm = script(`import { Client, SmsAuthError, startEmulator } from 'smsauth'
    const RESOLVED = import.meta.resolve('smsauth')`)
  writeFileSync(join(app, 'main.mjs'), esm)
  for (const [file, entry] of [
    ['main.cjs', 'node_modules/smsauth/index.js'],
    ['main.mjs', 'node_modules/smsauth/index.mjs'],
  ]) {
    const out = JSON.parse(execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8' }))
    const { where, ...rest } = out
    assert.deepEqual(rest, expected, file)
    assert.ok(where.endsWith(entry) && where.includes(app), `${file} loaded ${where}`)
  }
})
