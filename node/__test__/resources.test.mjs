// Resource checks (issue #8), each in a child Node process that holds only the client (the
// emulator runs in this test process, so its sockets, threads and memory are not measured):
//
// - 10,000 failing calls (connection refused, and 400 `SignatureDoesNotMatch` from the emulator)
//   leave the child's open file descriptors (/proc/self/fd) and threads (`Threads:` in
//   /proc/self/status) where they were after a warm-up (which starts the core's runtime, libuv's
//   thread pool and V8's platform workers: all fixed in number);
// - 100,000 successful calls grow the child's RSS by less than 20 MB after a 10,000-call warm-up
//   (measured after `global.gc()`: the child runs with --expose-gc).
//
// Each child prints one JSON line with its measurements; a timeout turns a hang into a failure.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import net from 'node:net'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { startEmulator } from './helpers.mjs'

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))

const COMMON = `
const fs = require('node:fs')
const { Client } = require('./index.js')
const ARGS = JSON.parse(process.argv[1])
const PHONE = '13800138000'
function counts() {
  const status = fs.readFileSync('/proc/self/status', 'utf8')
  return [fs.readdirSync('/proc/self/fd').length, Number(/^Threads:\\s*(\\d+)/m.exec(status)[1])]
}
function rssMb() {
  global.gc()
  return process.memoryUsage().rss / 2 ** 20
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
/** n calls of fn, \`concurrency\` at a time. */
async function run(n, concurrency, fn) {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await fn(next++)
  }))
}
`

const FAILING = `${COMMON}
const opts = { signName: 's', templateCode: '1', retry: { maxAttempts: 1 }, timeoutMs: 5000 }
const clients = {
  refused: [new Client({ ...opts, endpoint: ARGS.refused, accessKeyId: 'testid', accessKeySecret: 'testsecret' }), 'ERR_SMSAUTH_NETWORK'],
  rejected: [new Client({ ...opts, endpoint: ARGS.emulator, accessKeyId: 'testid', accessKeySecret: 'not-the-secret' }), 'ERR_SMSAUTH_AUTHENTICATION'],
}
let failures = 0
async function calls(name, n, concurrency) {
  const [client, code] = clients[name]
  await run(n, concurrency, async (i) => {
    try {
      await (i % 2 ? client.sendCode(PHONE) : client.checkCode(PHONE, '1234'))
    } catch (e) {
      if (e.code === code) failures += 1
      else throw e
    }
  })
}
;(async () => {
  for (const name of Object.keys(clients)) {
    await calls(name, 50, 1)
    await calls(name, 64, 8)
  }
  await sleep(200)
  const warm = failures
  const before = counts()
  const started = performance.now()
  for (const [name, n, concurrency] of ARGS.plan) await calls(name, n, concurrency)
  const elapsed = (performance.now() - started) / 1000
  // Closed sockets are reaped asynchronously: wait (bounded) for the counts to settle.
  let after = counts()
  for (let i = 0; i < 100 && String(after) !== String(before); i++) {
    await sleep(50)
    after = counts()
  }
  console.log(JSON.stringify({ failures: failures - warm, before, after, elapsed }))
})()
`

const RSS = `${COMMON}
const client = new Client({ endpoint: ARGS.emulator, accessKeyId: 'testid', accessKeySecret: 'testsecret' })
let done = 0
async function batch(n) {
  await run(n, 64, async () => {
    const r = await client.checkCode(PHONE, '1234')
    if (r.verifyResult !== 'UNKNOWN') throw new Error(JSON.stringify(r))
    done += 1
  })
}
;(async () => {
  await batch(ARGS.warmup)
  const base = rssMb()
  const samples = []
  const started = performance.now()
  for (let i = 0; i < 10; i++) {
    await batch(ARGS.total / 10)
    samples.push(Math.round(rssMb() * 10) / 10)
  }
  const elapsed = (performance.now() - started) / 1000
  console.log(JSON.stringify({ calls: done - ARGS.warmup, base: Math.round(base * 10) / 10, samples, elapsed }))
})()
`

/** Run `source` in a child Node (with --expose-gc) and return the JSON of its last line. */
function child(source, args, timeout) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '-e', source, JSON.stringify(args)],
      { cwd: PACKAGE_DIR, encoding: 'utf8', timeout, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        // A hang (killed by the timeout) is a failure, not a stuck suite.
        if (err) reject(new Error(`child failed (${err.signal ?? err.code}): ${stderr}`))
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1)))
      },
    )
  })
}

/** A loopback port nobody listens on (bound, then closed). */
async function refusedEndpoint() {
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}`
}

describe('resources', () => {
  let emu
  before(() => {
    emu = startEmulator()
  })
  after(() => emu.close())

  test('10,000 failing calls leave file descriptors and threads where they were', async (t) => {
    const plan = [
      ['refused', 4000, 1],
      ['refused', 4000, 8],
      ['rejected', 1000, 1],
      ['rejected', 1000, 8],
    ]
    const out = await child(FAILING, { refused: await refusedEndpoint(), emulator: emu.endpoint, plan }, 150_000)
    t.diagnostic(`10,000 failing calls in ${out.elapsed.toFixed(1)} s: [fds, threads] ${out.before} -> ${out.after}`)
    assert.equal(out.failures, 10_000, 'every call failed with the expected code')
    assert.deepEqual(out.after, out.before, 'file descriptors and threads are back where they started')
  })

  test('100,000 successful calls grow RSS by less than 20 MB after warm-up', async (t) => {
    const out = await child(RSS, { emulator: emu.endpoint, total: 100_000, warmup: 10_000 }, 240_000)
    const growth = Math.max(...out.samples) - out.base
    t.diagnostic(
      `100,000 checks in ${out.elapsed.toFixed(1)} s: RSS ${out.base} MB after warm-up, then ${out.samples} (max growth ${growth.toFixed(1)} MB)`,
    )
    assert.equal(out.calls, 100_000)
    assert.ok(growth < 20, JSON.stringify(out))
  })
})
