// Many calls at once: 200 concurrent sends and checks with Promise.all, 64 concurrent loops of
// calls for 3 s (load, issue #8), the event loop keeps running while calls are in flight, and
// exactly one (lazily started) runtime does the work.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { clientFor, phone, startEmulator } from './helpers.mjs'

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))

describe('concurrency', () => {
  let emu
  let client
  before(() => {
    emu = startEmulator()
    client = clientFor(emu)
  })
  after(() => emu.close())

  test('200 concurrent sends, then 200 concurrent checks, all correct', async () => {
    const phones = Array.from({ length: 200 }, () => phone())
    const sent = await Promise.all(phones.map((p) => client.sendCode(p)))
    assert.equal(sent.length, 200)
    assert.ok(sent.every((r) => r.code === 'OK'))
    assert.equal(new Set(sent.map((r) => r.requestId)).size, 200, 'every answer is its own')
    const codes = phones.map((p) => emu.lastCode(p))
    assert.ok(codes.every((c) => typeof c === 'string' && c.length === 4))

    // Half right, half wrong, interleaved: each answer must match its own call.
    const checks = await Promise.all(
      phones.map((p, i) => client.checkCode(p, i % 2 ? codes[i] : codes[i] === '0000' ? '1111' : '0000')),
    )
    checks.forEach((r, i) => assert.equal(r.passed, i % 2 === 1, `call ${i}`))
  })

  // Load (issue #8): the timeout turns a deadlock into a failure instead of a stuck suite.
  test('64 concurrent loops for 3 s: send, wrong check, right check — 0 errors, one request per call', { timeout: 60_000 }, async (t) => {
    const load = startEmulator()
    try {
      const c = clientFor(load)
      let cycles = 0
      const errors = []
      const stopAt = performance.now() + 3000
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (performance.now() < stopAt) {
            const to = phone()
            try {
              assert.equal((await c.sendCode(to)).code, 'OK')
              const code = load.lastCode(to)
              assert.equal((await c.checkCode(to, code === '0000' ? '1111' : '0000')).passed, false)
              assert.equal((await c.checkCode(to, code)).passed, true)
              cycles += 1
            } catch (e) {
              errors.push(e)
            }
          }
        }),
      )
      t.diagnostic(`${cycles} send → wrong check → right check cycles from 64 loops in 3 s`)
      assert.deepEqual(errors, [])
      assert.ok(cycles >= 64, `only ${cycles} cycles`)
      assert.equal(load.requestCount(), cycles * 3, 'every call reached the emulator exactly once')
      assert.equal(load.messages().length, Math.min(cycles, 10_000), 'one SMS per send')
    } finally {
      load.close()
    }
  })

  test('200 concurrent failures settle too (no hang, no crash)', async () => {
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => client.sendCode(i % 2 ? 'bad' : phone(), { codeLength: i % 2 ? 4 : 99 })))
    assert.equal(results.length, 200)
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason.code === 'ERR_SMSAUTH_INVALID_INPUT'))
  })

  test('calls run in parallel off the event loop, which keeps ticking', async () => {
    emu.addFault({ kind: 'latency', ms: 300, action: 'CheckSmsVerifyCode' })
    let ticks = 0
    const timer = setInterval(() => {
      ticks += 1
    }, 10)
    try {
      const started = performance.now()
      await Promise.all(Array.from({ length: 40 }, () => client.checkCode(phone(), '1234')))
      const elapsed = performance.now() - started
      // 40 × 300 ms one after the other would take 12 s.
      assert.ok(elapsed < 3000, `took ${elapsed} ms`)
      assert.ok(ticks >= 10, `the event loop only ticked ${ticks} times in ${elapsed} ms`)
    } finally {
      clearInterval(timer)
      emu.clearFaults()
    }
  })

  test('nothing starts at require; afterwards only the core runtime threads exist', () => {
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs')
         const names = () => fs.readdirSync('/proc/self/task').map((t) => {
           try { return fs.readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim() } catch { return '' }
         }).filter(Boolean).sort()
         // Node starts its own threads (all named "node") while it boots; on a loaded machine
         // some appear only after the script starts. Wait until their list stays the same.
         const settled = async () => {
           let seen = names()
           for (let i = 0; i < 40; i++) {
             await new Promise((r) => setTimeout(r, 50))
             const now = names()
             if (now.join() === seen.join()) return now
             seen = now
           }
           return seen
         }
         settled().then((before) => {
           const { Client } = require('./index.js')
           const loaded = names()
           const c = new Client({ endpoint: 'http://127.0.0.1:9', accessKeyId: 'a', accessKeySecret: 'b', signName: 's', templateCode: '1', retry: { maxAttempts: 1 } })
           const built = names()
           return Promise.all([c.sendCode('13800138000'), c.checkCode('13800138000', '1234')].map((p) => p.catch((e) => e.code))).then((codes) => {
             console.log(JSON.stringify({ before, loaded, built, after: names(), codes }))
           })
         })`,
      ],
      { cwd: PACKAGE_DIR, encoding: 'utf8' },
    )
    const { before: start, loaded, built, after: end, codes } = JSON.parse(out)
    assert.deepEqual(codes, ['ERR_SMSAUTH_NETWORK', 'ERR_SMSAUTH_NETWORK'])
    assert.deepEqual(loaded, start, 'require() starts no thread')
    assert.deepEqual(built, start, 'new Client() starts no thread')
    const added = end.filter((n) => !start.includes(n) || end.filter((m) => m === n).length > start.filter((m) => m === n).length)
    assert.ok(added.includes('smsauth-rt'), `the core runtime runs the calls: ${added}`)
    assert.ok(!end.some((n) => n.startsWith('tokio-runtime')), `no second runtime: ${end}`)
    assert.ok(added.every((n) => n === 'smsauth-rt'), `only core runtime threads were added: ${added}`)
  })

  test('a pending call keeps the process alive; an idle client does not', () => {
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `const { Client, startEmulator } = require('./index.js')
         const emu = startEmulator()
         emu.addFault({ kind: 'latency', ms: 300 })
         const c = new Client({ endpoint: emu.endpoint, accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret })
         const idle = new Client({ accessKeyId: 'a', accessKeySecret: 'b' })
         // No timer or socket of Node's keeps this process alive: only the pending promise.
         c.checkCode('13800138000', '1234').then((r) => console.log(JSON.stringify({ code: r.code })))`,
      ],
      { cwd: PACKAGE_DIR, encoding: 'utf8', timeout: 20_000 },
    )
    assert.deepEqual(JSON.parse(out), { code: 'OK' }, 'the answer arrived before the process exited')
  })

  test('worker threads: calls work there, and terminating a worker mid-call is safe', async () => {
    const { Worker } = await import('node:worker_threads')
    const source = `
      const { parentPort, workerData } = require('node:worker_threads')
      const { Client } = require(workerData.pkg)
      const c = new Client({ endpoint: workerData.endpoint, accessKeyId: 'testid', accessKeySecret: 'testsecret' })
      Promise.all(Array.from({ length: 20 }, () => c.checkCode('13800138000', '1234')))
        .then((rs) => parentPort.postMessage(rs.every((r) => r.code === 'OK')))
        .catch((e) => parentPort.postMessage(String(e)))`
    const pkg = PACKAGE_DIR
    const ok = await new Promise((resolve, reject) => {
      const w = new Worker(source, { eval: true, workerData: { pkg, endpoint: emu.endpoint } })
      w.once('message', resolve)
      w.once('error', reject)
    })
    assert.equal(ok, true)

    emu.addFault({ kind: 'latency', ms: 500, action: 'CheckSmsVerifyCode' })
    try {
      for (let i = 0; i < 3; i++) {
        const w = new Worker(source, { eval: true, workerData: { pkg, endpoint: emu.endpoint } })
        await new Promise((resolve) => setTimeout(resolve, 150))
        await w.terminate()
      }
      await new Promise((resolve) => setTimeout(resolve, 600))
    } finally {
      emu.clearFaults()
    }
    // The main thread's client is unaffected.
    assert.equal((await client.checkCode(phone(), '1234')).code, 'OK')
  })
})
