// End-to-end tests of the sign-up example, run by test/run.sh. Every test starts the real app
// (`npm start` or `node server.js`) and talks to it over loopback; codes are read from the
// emulator's outbox, as a user would read the SMS.
//
// 1. The HTTP API, with the app configured from the environment (SMSAUTH_ENDPOINT + keys) against
//    an emulator this process owns — the same configuration path as for the real service.
// 2. `npm start` with no environment (in-process emulator), through its HTTP API.
// 3. The page in headless Chromium (playwright-core driving $CHROMIUM). When run.sh set
//    SKIP_BROWSER to the reason it cannot run, that is a failure unless the run opted out with
//    SIGNUP_ALLOW_NO_BROWSER=1 (never set in CI: a green run means the page was tested).
//
// Prints `ok`/`FAIL` per test and closes with `N passed, M failed`.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { Client, startEmulator } from 'smsauth'

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const SIGN_NAME = '速通互联验证码'
const TEMPLATE_CODE = '100001'

let passed = 0
let failed = 0
const cleanups = []

async function test(name, fn) {
  const t0 = performance.now()
  try {
    await fn()
    passed += 1
    console.log(`ok    ${name} (${Math.round(performance.now() - t0)} ms)`)
  } catch (e) {
    failed += 1
    console.log(`FAIL  ${name}\n      ${String(e?.stack ?? e).replaceAll('\n', '\n      ')}`)
  }
}

let serial = 0
/** A fresh mainland mobile number per call (varied prefixes, so no guard rule is shared by accident). */
function newPhone() {
  serial += 1
  const tail = String((process.pid % 100000) * 1000 + serial).padStart(8, '0').slice(-8)
  return `1${3 + (serial % 7)}${serial % 10}${tail}`
}

/**
 * Start the app (`npm start`, or `node server.js`) on a free port and wait for its URL line.
 * Returns { url, emulator (its in-process emulator's URL, if any), output(), stop() }.
 */
async function startApp({ env = {}, viaNpm = false } = {}) {
  const command = viaNpm ? ['npm', ['start', '--silent']] : [process.execPath, ['server.js']]
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('SMSAUTH_') && !k.startsWith('ALIBABA_CLOUD_')),
  )
  const child = spawn(command[0], command[1], {
    cwd: ROOT,
    env: { ...clean, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: stop() ends npm and node together
  })
  let output = ''
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {}
  }
  cleanups.push(stop)
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not start in 15 s; output:\n${output}`)), 15_000)
    const onData = (chunk) => {
      output += chunk
      const url = output.match(/listening on (http:\/\/\S+)/)?.[1]
      const second = /\n(No SMS is sent|Sending real SMS)[^\n]*\n/.test(output)
      if (url && second) {
        clearTimeout(timer)
        resolve({ url, emulator: output.match(/emulator at (http:\/\/[^\s)]+)/)?.[1] })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`the app exited (${code}) before listening; output:\n${output}`)))
  })
  return { ...(await ready), output: () => output, stop }
}

async function post(url, body, { raw = false } = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? body : JSON.stringify(body),
  })
  return { status: res.status, headers: res.headers, body: await res.json() }
}

/** The emulator's outbox for `phone`, through its HTTP test hook. */
async function outbox(emulatorUrl, phone) {
  const res = await fetch(`${emulatorUrl}/_emulator/messages?phone=${encodeURIComponent(phone)}`)
  assert.equal(res.status, 200)
  return (await res.json()).messages
}

async function lastCode(emulatorUrl, phone) {
  const messages = await outbox(emulatorUrl, phone)
  assert.ok(messages.length > 0, `no SMS to ${phone} in the emulator's outbox`)
  return messages.at(-1).code
}

/** A code that is not `code` (same length). */
const wrongFor = (code) => code.replace(/\d/g, (d) => String((Number(d) + 1) % 10))

const tooEarly = /^A code was just sent to this number\. Try again in (\d+) s\.$/

async function apiTests() {
  // The app configured as for the real service: endpoint and keys from the environment.
  const emu = startEmulator()
  cleanups.push(() => emu.close())
  const app = await startApp({
    env: {
      SMSAUTH_ENDPOINT: emu.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: emu.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.accessKeySecret,
    },
  })
  const api = (p) => `${app.url}/api/${p}`

  await test('api: configured from SMSAUTH_ENDPOINT + keys, it uses that endpoint', async () => {
    assert.ok(app.output().includes(`Sending real SMS via ${emu.endpoint}.`), app.output())
    assert.equal(app.emulator, undefined)
  })

  await test('api: send, read the code from the outbox, check it: signed in; the code passes once', async () => {
    const phone = newPhone()
    const formatted = `+86 ${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}`
    const sent = await post(api('send-code'), { phone: formatted })
    assert.equal(sent.status, 200, JSON.stringify(sent.body))
    assert.deepEqual(sent.body, { sent: true, phone })
    const messages = emu.messages(phone)
    assert.equal(messages.length, 1)
    assert.equal(messages[0].signName, SIGN_NAME)
    assert.equal(messages[0].templateCode, TEMPLATE_CODE)
    const ok = await post(api('check-code'), { phone, code: messages[0].code })
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
    assert.deepEqual(ok.body, { signedIn: true, phone })
    const again = await post(api('check-code'), { phone, code: messages[0].code })
    assert.equal(again.status, 401)
  })

  await test('api: a wrong code is refused with a clear message; the right one still works', async () => {
    const phone = newPhone()
    assert.equal((await post(api('send-code'), { phone })).status, 200)
    const code = emu.lastCode(phone)
    const wrong = await post(api('check-code'), { phone, code: wrongFor(code) })
    assert.equal(wrong.status, 401)
    assert.match(wrong.body.error.message, /^That code is wrong or has expired\./)
    assert.equal((await post(api('check-code'), { phone, code })).status, 200)
  })

  await test('api: a resend within the minute is refused by the guard (429, Retry-After); nothing is sent', async () => {
    const phone = newPhone()
    assert.equal((await post(api('send-code'), { phone })).status, 200)
    const requests = emu.requestCount()
    const resend = await post(api('send-code'), { phone })
    assert.equal(resend.status, 429)
    const seconds = Number(resend.body.error.message.match(tooEarly)?.[1])
    assert.ok(seconds > 0 && seconds <= 60, resend.body.error.message)
    assert.equal(resend.headers.get('retry-after'), String(seconds))
    assert.equal(resend.body.error.retryAfter, seconds)
    assert.equal(resend.body.error.rule, 'phone:1/60s')
    assert.equal(emu.requestCount(), requests, 'the refused resend reached the service')
    assert.equal(emu.messages(phone).length, 1)
  })

  await test('api: biz.FREQUENCY from the service (a code sent elsewhere) becomes "try again in 60 s"', async () => {
    const phone = newPhone()
    // Another server (or a second instance of this app) sent a code to this number just now.
    const other = new Client({
      endpoint: emu.endpoint,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      signName: SIGN_NAME,
      templateCode: TEMPLATE_CODE,
    })
    await other.sendCode(phone)
    const requests = emu.requestCount()
    const res = await post(api('send-code'), { phone })
    assert.equal(emu.requestCount(), requests + 1, 'the send should have reached the emulator')
    assert.equal(res.status, 429)
    assert.equal(res.body.error.message, 'A code was sent to this number less than a minute ago. Try again in 60 s.')
    assert.equal(res.headers.get('retry-after'), '60')
    assert.equal(emu.messages(phone).length, 1)
  })

  await test('api: an invalid phone number is refused before anything is sent', async () => {
    const requests = emu.requestCount()
    for (const phone of ['12345', '23800138000', 'abc', '138 0013 800']) {
      const res = await post(api('send-code'), { phone })
      assert.equal(res.status, 400, phone)
      assert.equal(res.body.error.field, 'phone')
      assert.match(res.body.error.message, /^That is not a mainland China mobile number/)
    }
    assert.equal((await post(api('send-code'), {})).body.error.message, 'Enter your mobile number.')
    assert.equal((await post(api('send-code'), { phone: 13800138000 })).status, 400)
    assert.equal((await post(api('send-code'), '{"phone":', { raw: true })).status, 400)
    assert.equal(emu.requestCount(), requests)
  })

  await test('api: a malformed code is refused before anything is sent', async () => {
    const phone = newPhone()
    const requests = emu.requestCount()
    for (const code of ['12', 'abc!', '123456789']) {
      const res = await post(api('check-code'), { phone, code })
      assert.equal(res.status, 400, code)
      assert.equal(res.body.error.message, 'Enter the code from the SMS (4 to 8 digits).')
    }
    assert.equal(emu.requestCount(), requests)
  })

  await test('api: after 5 wrong codes the number is locked, even for the right code', async () => {
    const phone = newPhone()
    assert.equal((await post(api('send-code'), { phone })).status, 200)
    const code = emu.lastCode(phone)
    for (let i = 0; i < 5; i++) {
      assert.equal((await post(api('check-code'), { phone, code: wrongFor(code) })).status, 401)
    }
    const locked = await post(api('check-code'), { phone, code })
    assert.equal(locked.status, 429)
    assert.match(locked.body.error.message, /^Too many wrong codes for this number\. Try again in \d+ s\.$/)
    assert.equal(locked.body.error.rule, 'check:locked')
  })

  await test('api: one visitor IP gets at most 10 codes an hour, whatever the numbers', async () => {
    const fresh = await startApp({
      env: {
        SMSAUTH_ENDPOINT: emu.endpoint,
        ALIBABA_CLOUD_ACCESS_KEY_ID: emu.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.accessKeySecret,
      },
    })
    try {
      for (let i = 0; i < 10; i++) {
        const res = await post(`${fresh.url}/api/send-code`, { phone: newPhone() })
        assert.equal(res.status, 200, `send ${i + 1}: ${JSON.stringify(res.body)}`)
      }
      const phone = newPhone()
      const res = await post(`${fresh.url}/api/send-code`, { phone })
      assert.equal(res.status, 429)
      assert.match(res.body.error.message, /^Too many codes were requested from your network\. Try again in \d+ s\.$/)
      assert.equal(res.body.error.rule, 'client:10/3600s')
      assert.deepEqual(emu.messages(phone), [])
    } finally {
      fresh.stop()
    }
  })

  await test('metrics: /metrics shows the calls above in the Prometheus text format, no phone numbers', async () => {
    const res = await fetch(`${app.url}/metrics`)
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    const value = (series) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `))
      assert.ok(line, `${series} missing:\n${text}`)
      return Number(line.slice(series.length + 1))
    }
    // The tests above sent, passed, failed checks and hit the guard's per-number rule.
    assert.ok(value('smsauth_sends_total') >= 5, text)
    assert.ok(value('smsauth_check_passes_total') >= 2, text)
    assert.ok(value('smsauth_checks_total') > value('smsauth_check_passes_total'), text)
    assert.ok(value('smsauth_guard_denials_total{rule="phone:1/60s"}') >= 1, text)
    assert.ok(value('smsauth_errors_total{kind="guard_denied"}') >= 1, text)
    const buckets = [...text.matchAll(/^smsauth_call_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)]
    assert.ok(buckets.length > 2 && buckets.at(-1)[1] === '+Inf', text)
    const counts = buckets.map((m) => Number(m[2]))
    assert.deepEqual(counts, [...counts].sort((a, b) => a - b), 'buckets are cumulative')
    assert.equal(counts.at(-1), value('smsauth_call_duration_seconds_count'))
    assert.ok(!/1[3-9]\d{9}/.test(text), 'a phone number in the metrics')
  })

  await test('api: wrong credentials are the operator\'s problem: a generic 502, details in the log', async () => {
    const bad = await startApp({
      env: { SMSAUTH_ENDPOINT: emu.endpoint, ALIBABA_CLOUD_ACCESS_KEY_ID: 'testid', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret' },
    })
    try {
      const res = await post(`${bad.url}/api/send-code`, { phone: newPhone() })
      assert.equal(res.status, 502)
      assert.equal(res.body.error.message, 'We could not send or check codes right now. Please try again later.')
      await waitFor(() => /send failed:.*ERR_SMSAUTH_AUTHENTICATION.*SignatureDoesNotMatch/.test(bad.output()), 'log line')
      assert.ok(!bad.output().includes('wrong-secret'), 'the secret leaked into the log')
    } finally {
      bad.stop()
    }
  })

  app.stop()
}

async function waitFor(predicate, what, ms = 5000) {
  const end = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function browserTests(app) {
  let chromium
  try {
    ;({ chromium } = await import('playwright-core'))
  } catch (e) {
    await test('browser: load playwright-core', () => {
      throw e
    })
    return
  }
  let browser
  await test(`browser: launch ${process.env.CHROMIUM}`, async () => {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM, headless: true })
    console.log(`      Chromium ${browser.version()}`)
  })
  if (!browser) return
  cleanups.unshift(() => browser.close())

  /** A fresh page (own cookies) on the app, with `phone` typed and "Send code" clicked. */
  async function pageAfterSend(phone) {
    const context = await browser.newContext()
    const page = await context.newPage()
    page.setDefaultTimeout(10_000)
    page.on('pageerror', (e) => console.log(`      page error: ${e.message}`))
    await page.goto(app.url)
    await page.fill('#phone', phone)
    await page.click('#send')
    return page
  }
  const messageOf = (page, pattern) =>
    page.waitForFunction(
      ([source, flags]) => new RegExp(source, flags).test(document.getElementById('message').textContent),
      [pattern.source, pattern.flags],
    ).then(() => page.textContent('#message'))

  await test('browser: type a phone, send, enter the code from the outbox: "Signed in"', async () => {
    const phone = newPhone()
    const page = await pageAfterSend(`+86 ${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`)
    assert.equal(await messageOf(page, /^We sent a code to /), `We sent a code to ${phone}. Enter it below.`)
    assert.equal(await page.isVisible('#code-form'), true)
    await page.fill('#code', await lastCode(app.emulator, phone))
    await page.click('#verify')
    await page.waitForSelector('#done', { state: 'visible' })
    assert.equal(await page.textContent('#done h2'), 'Signed in')
    assert.equal(await page.textContent('#who'), phone)
    assert.equal(await page.isVisible('#signup'), false)
    await page.context().close()
  })

  await test('browser: a wrong code shows the error; the right code then signs in', async () => {
    const phone = newPhone()
    const page = await pageAfterSend(phone)
    await messageOf(page, /^We sent a code/)
    const code = await lastCode(app.emulator, phone)
    await page.fill('#code', wrongFor(code))
    await page.click('#verify')
    const text = await messageOf(page, /wrong/)
    assert.equal(text, 'That code is wrong or has expired. Check the SMS and try again, or resend the code.')
    assert.equal(await page.getAttribute('#message', 'class'), 'error')
    assert.equal(await page.isVisible('#done'), false)
    await page.fill('#code', code)
    await page.click('#verify')
    await page.waitForSelector('#done', { state: 'visible' })
    await page.context().close()
  })

  await test('browser: "Resend code" within the minute shows "try again in N s"; no second SMS', async () => {
    const phone = newPhone()
    const page = await pageAfterSend(phone)
    await messageOf(page, /^We sent a code/)
    await page.click('#resend')
    const text = await messageOf(page, /Try again/)
    const seconds = Number(text.match(tooEarly)?.[1])
    assert.ok(seconds > 0 && seconds <= 60, text)
    assert.equal(await page.getAttribute('#message', 'class'), 'error')
    assert.equal((await outbox(app.emulator, phone)).length, 1)
    await page.context().close()
  })

  await test('browser: the service\'s biz.FREQUENCY (code sent elsewhere) shows "try again in 60 s"', async () => {
    const phone = newPhone()
    // `npm start`'s emulator accepts the emulator's default key pair.
    const other = new Client({
      endpoint: app.emulator,
      accessKeyId: 'testid',
      accessKeySecret: 'testsecret',
      signName: SIGN_NAME,
      templateCode: TEMPLATE_CODE,
    })
    await other.sendCode(phone)
    const page = await pageAfterSend(phone)
    const text = await messageOf(page, /Try again/)
    assert.equal(text, 'A code was sent to this number less than a minute ago. Try again in 60 s.')
    assert.equal(await page.isVisible('#code-form'), false)
    await page.context().close()
  })

  await test('browser: an invalid phone number shows the error and no code form', async () => {
    const page = await pageAfterSend('12345')
    const text = await messageOf(page, /not a mainland China/)
    assert.equal(text, 'That is not a mainland China mobile number: use 11 digits starting with 1, e.g. 138 0013 8000.')
    assert.equal(await page.getAttribute('#message', 'class'), 'error')
    assert.equal(await page.isVisible('#code-form'), false)
    await page.context().close()
  })
}

try {
  await apiTests()

  // `npm start` with no configuration: the in-process emulator.
  let app
  await test('npm start with no environment: in-process emulator, URL printed', async () => {
    app = await startApp({ viaNpm: true })
    assert.match(app.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.match(app.emulator ?? '', /^http:\/\/127\.0\.0\.1:\d+$/)
    const page = await fetch(app.url)
    assert.equal(page.status, 200)
    assert.match(await page.text(), /<button id="send" type="submit">Send code<\/button>/)
  })
  if (app) {
    await test('npm start: send and check through the API with the code from the outbox hook', async () => {
      const phone = newPhone()
      assert.equal((await post(`${app.url}/api/send-code`, { phone })).status, 200)
      await waitFor(() => app.output().includes(`[emulator] SMS to ${phone}: `), 'the printed SMS')
      const code = await lastCode(app.emulator, phone)
      assert.match(app.output(), new RegExp(`\\[emulator\\] SMS to ${phone}: .*${code}`))
      const res = await post(`${app.url}/api/check-code`, { phone, code })
      assert.deepEqual(res.body, { signedIn: true, phone })
    })

    if (process.env.SKIP_BROWSER && process.env.SIGNUP_ALLOW_NO_BROWSER === '1') {
      console.log(`SKIPPED: browser tests: ${process.env.SKIP_BROWSER} (SIGNUP_ALLOW_NO_BROWSER=1)`)
    } else if (process.env.SKIP_BROWSER) {
      failed += 1
      console.log(
        `FAIL  browser tests cannot run: ${process.env.SKIP_BROWSER}\n` +
          '      install chromium, or set SIGNUP_ALLOW_NO_BROWSER=1 to run without the page tests',
      )
    } else {
      await browserTests(app)
    }
  }
} catch (e) {
  failed += 1
  console.log(`FAIL  (setup) ${e?.stack ?? e}`)
} finally {
  for (const cleanup of cleanups) {
    try {
      await cleanup()
    } catch {}
  }
}

console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
