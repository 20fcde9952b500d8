'use strict'
// One `bench/run` worker for Node: `smsauth` or the official SDK in a fresh process.
//
//   node worker.js import smsauth|official     -> {"import_ms": …}
//   node worker.js run smsauth|official ENDPOINT SECONDS [CONCURRENCY]
//       -> {"seq", "p50_ms", "p99_ms", "conc", "sign", "rss_mb"}
//
// `import` times, in-process, the require()s a user needs for one call. `run` measures, in one
// process: sequential CheckSmsVerifyCode calls with each latency recorded, CONCURRENCY calls in
// flight (Promise.all over CONCURRENCY loops), a sign-only loop, then peak RSS (VmHWM). Each
// answer is checked (`Code` OK); a wrong answer fails the run. Both packages are resolved from
// this folder's node_modules (bench/run installs the release build of smsauth there).

const fs = require('node:fs')

const PHONE = '13800138000'
const CODE = '1234'
// Sequential warm-up calls before the timed phases (bench/run's verifying round uses a few).
const WARMUP = Number(process.env.BENCH_WARMUP || 200)
const ALG = 'ACS3-HMAC-SHA256'

function load(lib) {
  if (lib === 'smsauth') return { smsauth: require('smsauth') }
  const Dypnsapi = require('@alicloud/dypnsapi20170525')
  const { $OpenApiUtil, OpenApiUtil } = require('@alicloud/openapi-core')
  return { Dypnsapi, $OpenApiUtil, OpenApiUtil }
}

function ours({ smsauth }, endpoint) {
  const client = new smsauth.Client({ endpoint, accessKeyId: 'testid', accessKeySecret: 'testsecret' })
  const host = new URL(endpoint).host
  return {
    call: async () => {
      const r = await client.checkCode(PHONE, CODE)
      if (r.code !== 'OK' || r.verifyResult !== 'UNKNOWN') throw new Error(`unexpected answer ${JSON.stringify(r)}`)
    },
    // What the client does before each call: V3, fresh timestamp and nonce.
    sign: () =>
      smsauth.sign(
        { host, action: 'CheckSmsVerifyCode', params: { PhoneNumber: PHONE, VerifyCode: CODE } },
        { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
      ),
  }
}

function official({ Dypnsapi, $OpenApiUtil, OpenApiUtil }, endpoint) {
  const host = new URL(endpoint).host
  // protocol 'http' is the SDK's own switch; it then talks plain HTTP to 127.0.0.1.
  const client = new Dypnsapi.default(
    new $OpenApiUtil.Config({ accessKeyId: 'testid', accessKeySecret: 'testsecret', endpoint: host, protocol: 'http' }),
  )
  const { Request } = require('@darabonba/typescript')
  return {
    call: async () => {
      const r = await client.checkSmsVerifyCode(new Dypnsapi.CheckSmsVerifyCodeRequest({ phoneNumber: PHONE, verifyCode: CODE }))
      // The official SDK returns business failures as successes: look inside.
      if (r.statusCode !== 200 || r.body.code !== 'OK' || r.body.model.verifyResult !== 'UNKNOWN') {
        throw new Error(`unexpected answer ${JSON.stringify(r.body)}`)
      }
    },
    // The signing steps of the SDK's doRequest for one V3 call (@alicloud/openapi-core 1.0.x
    // client.js): the x-acs-* headers with a fresh date and nonce, the payload hash, then
    // getAuthorization. Its public helpers, called in the same order.
    sign: () => {
      const req = new Request()
      req.protocol = 'http'
      req.method = 'POST'
      req.pathname = '/'
      req.query = { PhoneNumber: PHONE, VerifyCode: CODE }
      req.headers = {
        host,
        'x-acs-version': '2017-05-25',
        'x-acs-action': 'CheckSmsVerifyCode',
        'user-agent': OpenApiUtil.getUserAgent(undefined),
        'x-acs-date': OpenApiUtil.getTimestamp(),
        'x-acs-signature-nonce': OpenApiUtil.getNonce(),
        accept: 'application/json',
      }
      const payload = OpenApiUtil.hash(Buffer.from('', 'utf-8'), ALG).toString('hex')
      req.headers['x-acs-content-sha256'] = payload
      req.headers.Authorization = OpenApiUtil.getAuthorization(req, ALG, payload, 'testid', 'testsecret')
      return req
    },
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1]
}

function peakRssMb() {
  // VmHWM, not resourceUsage().maxRSS: after fork + exec the latter starts from the parent's size.
  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'))
  return line ? Number(line.split(/\s+/)[1]) / 1024 : null
}

async function run(lib, endpoint, seconds, concurrency) {
  const mod = load(lib)
  const { call, sign } = (lib === 'smsauth' ? ours : official)(mod, endpoint)
  const ms = seconds * 1000
  for (let i = 0; i < WARMUP; i++) await call()

  const lat = []
  let start = performance.now()
  let end = start + ms
  for (;;) {
    const t = performance.now()
    if (t >= end) break
    await call()
    lat.push(performance.now() - t)
  }
  const seq = lat.length / ((performance.now() - start) / 1000)
  lat.sort((a, b) => a - b)

  await Promise.all(Array.from({ length: concurrency }, () => call())) // open the connections
  let count = 0
  start = performance.now()
  end = start + ms
  const loop = async () => {
    while (performance.now() < end) {
      await call()
      count++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  const conc = count / ((performance.now() - start) / 1000)

  let signs = 0
  start = performance.now()
  end = start + ms
  while (performance.now() < end) {
    for (let i = 0; i < 64; i++) sign()
    signs += 64
  }
  const signRate = signs / ((performance.now() - start) / 1000)

  return { seq, p50_ms: percentile(lat, 50), p99_ms: percentile(lat, 99), conc, sign: signRate, rss_mb: peakRssMb() }
}

async function main() {
  const [mode, lib, endpoint, seconds, concurrency] = process.argv.slice(2)
  let result
  if (mode === 'import') {
    const t0 = process.hrtime.bigint()
    load(lib)
    result = { import_ms: Number(process.hrtime.bigint() - t0) / 1e6 }
  } else {
    result = await run(lib, endpoint, Number(seconds), Number(concurrency || 64))
  }
  console.log(JSON.stringify(result))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
