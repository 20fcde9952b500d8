'use strict'
// smsauth vs the official @alicloud/dypnsapi20170525, in one run against the same local
// upstream (the smsauth emulator in its own process, which verifies every V3 signature and
// answers like the service). Each SDK is measured in fresh child processes:
//
//   require time   median of 7 fresh processes (`require` of what a user needs for one call)
//   sequential     CheckSmsVerifyCode calls/s, one at a time, for DURATION_S seconds
//   concurrency 64 calls/s with 64 calls in flight (Promise.all over 64 loops), DURATION_S seconds
//   peak RSS       maxRSS of the process that ran both throughput phases
//
// Usage: node bench.js   (run.sh builds the release addon and installs the official SDK first)
// Env: SMSAUTH_PACKAGE (path of the smsauth package; default ../../node), DURATION_S (default 3)

const { spawn, execFileSync } = require('node:child_process')
const path = require('node:path')
const os = require('node:os')

const SMSAUTH = path.resolve(process.env.SMSAUTH_PACKAGE || path.join(__dirname, '../../node'))
const DURATION_S = Number(process.env.DURATION_S || 3)
const CONCURRENCY = 64
const WARMUP = 300
const PHONE = '13800138000'
const CODE = '1234'

// What a user of each SDK requires, and how one call is made.
const SDKS = {
  smsauth: {
    label: '`smsauth` (this repo)',
    load: `const { Client } = require(${JSON.stringify(SMSAUTH)})`,
    client: `new Client({ endpoint: E.endpoint, accessKeyId: E.id, accessKeySecret: E.secret })`,
    call: `() => client.checkCode(${JSON.stringify(PHONE)}, ${JSON.stringify(CODE)})`,
    check: `(r) => r.code === 'OK'`,
  },
  official: {
    label: '`@alicloud/dypnsapi20170525` 2.0.0',
    load: `const Dypnsapi = require('@alicloud/dypnsapi20170525'); const { $OpenApiUtil } = require('@alicloud/openapi-core')`,
    client: `new Dypnsapi.default(new $OpenApiUtil.Config({ accessKeyId: E.id, accessKeySecret: E.secret, endpoint: new URL(E.endpoint).host, protocol: 'http' }))`,
    call: `() => client.checkSmsVerifyCode(new Dypnsapi.CheckSmsVerifyCodeRequest({ phoneNumber: ${JSON.stringify(PHONE)}, verifyCode: ${JSON.stringify(CODE)} }))`,
    check: `(r) => r.statusCode === 200 && r.body.code === 'OK'`,
  },
}

function runChild(source, env = {}) {
  const out = execFileSync(process.execPath, ['-e', source], {
    cwd: __dirname,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  })
  return JSON.parse(out.trim().split('\n').pop())
}

function requireTime(sdk) {
  const s = SDKS[sdk]
  const source = `const t0 = process.hrtime.bigint(); ${s.load}; const t1 = process.hrtime.bigint();
    console.log(JSON.stringify({ ms: Number(t1 - t0) / 1e6 }))`
  const times = Array.from({ length: 7 }, () => runChild(source).ms).sort((a, b) => a - b)
  return times[3]
}

function throughput(sdk, upstream) {
  const s = SDKS[sdk]
  const source = `
    ${s.load}
    const E = JSON.parse(process.env.UPSTREAM)
    const client = ${s.client}
    const call = ${s.call}
    const ok = ${s.check}
    const DURATION = ${DURATION_S} * 1000
    async function sequential() {
      const end = performance.now() + DURATION
      let n = 0
      const start = performance.now()
      while (performance.now() < end) { if (!ok(await call())) throw new Error('bad answer'); n++ }
      return n / ((performance.now() - start) / 1000)
    }
    async function concurrent() {
      const end = performance.now() + DURATION
      let n = 0
      const start = performance.now()
      const loop = async () => { while (performance.now() < end) { if (!ok(await call())) throw new Error('bad answer'); n++ } }
      await Promise.all(Array.from({ length: ${CONCURRENCY} }, loop))
      return n / ((performance.now() - start) / 1000)
    }
    ;(async () => {
      for (let i = 0; i < ${WARMUP}; i++) if (!ok(await call())) throw new Error('bad answer')
      const seq = await sequential()
      await Promise.all(Array.from({ length: ${CONCURRENCY} }, () => call()))
      const conc = await concurrent()
      console.log(JSON.stringify({ seq, conc, rssMb: process.resourceUsage().maxRSS / 1024 }))
    })().catch((e) => { console.error(e); process.exit(1) })`
  return runChild(source, { UPSTREAM: JSON.stringify(upstream) })
}

function startUpstream() {
  // The emulator from the smsauth package, in its own process so it does not share the
  // measured processes' CPU accounting or memory.
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const { startEmulator } = require(${JSON.stringify(SMSAUTH)})
       const emu = startEmulator({ verifyWithEmulatedClock: false })
       console.log(JSON.stringify({ endpoint: emu.endpoint, id: emu.accessKeyId, secret: emu.accessKeySecret }))
       process.stdin.on('end', () => { emu.close(); process.exit(0) }); process.stdin.resume()`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  return new Promise((resolve, reject) => {
    let buf = ''
    child.stdout.on('data', (d) => {
      buf += d
      const nl = buf.indexOf('\n')
      if (nl >= 0) resolve({ child, upstream: JSON.parse(buf.slice(0, nl)) })
    })
    child.on('exit', (code) => reject(new Error(`upstream exited with ${code}`)))
  })
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

async function main() {
  const { child, upstream } = await startUpstream()
  try {
    const results = {}
    for (const sdk of ['official', 'smsauth']) {
      process.stderr.write(`bench: ${sdk}: require time...\n`)
      const req = requireTime(sdk)
      process.stderr.write(`bench: ${sdk}: throughput (${DURATION_S} s sequential, ${DURATION_S} s at concurrency ${CONCURRENCY})...\n`)
      results[sdk] = { req, ...throughput(sdk, upstream) }
    }
    const a = results.smsauth
    const b = results.official
    const lines = [
      `Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0].model.trim()}), ${os.platform()} ${os.arch()}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end; upstream: the smsauth emulator on 127.0.0.1 in its own process (V3 signatures verified); call: CheckSmsVerifyCode; ${DURATION_S} s per phase after ${WARMUP} warm-up calls.`,
      '',
      `| metric | ${SDKS.smsauth.label} | ${SDKS.official.label} | smsauth vs official |`,
      '| --- | ---: | ---: | ---: |',
      `| require time (median of 7, ms) | ${fmt(a.req, 1)} | ${fmt(b.req, 1)} | ${fmt(a.req / b.req, 2)}× the time |`,
      `| sequential calls/s | ${fmt(a.seq)} | ${fmt(b.seq)} | ${fmt(a.seq / b.seq, 1)}× |`,
      `| Promise.all, concurrency ${CONCURRENCY}, calls/s | ${fmt(a.conc)} | ${fmt(b.conc)} | ${fmt(a.conc / b.conc, 1)}× |`,
      `| peak RSS (MB) | ${fmt(a.rssMb, 1)} | ${fmt(b.rssMb, 1)} | ${fmt(a.rssMb / b.rssMb, 2)}× the memory |`,
    ]
    console.log(lines.join('\n'))
  } finally {
    child.stdin.end()
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
