// Shared by the tests: a real emulator on loopback and clients pointed at it.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
/** The package as `require('smsauth')` gives it (the CommonJS entry). */
export const smsauth = require('../index.js')
export const { Client, startEmulator } = smsauth

export const SIGN_NAME = '速通互联验证码'
export const TEMPLATE_CODE = '100001'

let next = 0
/** A fresh mainland number per call (each process gets its own block), so send intervals never collide. */
export function phone() {
  next += 1
  return String(13000000000 + (process.pid % 10000) * 10000 + next)
}

/** A client for `emu` with the console's preset sign name and template. */
export function clientFor(emu, options = {}) {
  return new Client({
    endpoint: emu.endpoint,
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    signName: SIGN_NAME,
    templateCode: TEMPLATE_CODE,
    ...options,
  })
}

/**
 * The least slack a deadline check allows (ms). The documented promise is "a call settles within
 * its deadline + 10 %"; a busy 2-core machine running the suites in parallel (and the hop from
 * the core's runtime back to the event loop) can add a few hundred milliseconds without the code
 * being wrong. The same rule and numbers as core/tests/support/deadline.rs,
 * py/tests/conftest.py and tests/c/harness.h.
 */
export const SLACK_FLOOR_MS = 250

/** The most a call bounded by `deadlineMs` may take: + 10 %, at least + SLACK_FLOOR_MS. */
export function deadlineLimit(deadlineMs) {
  return deadlineMs + Math.max(deadlineMs * 0.1, SLACK_FLOOR_MS)
}

/** Await `promise` and return its rejection, failing if it resolves. */
export async function rejection(promise) {
  let value
  try {
    value = await promise
  } catch (e) {
    return e
  }
  // Outside the try: thrown inside it, this error would be caught and returned as the rejection.
  throw new Error(`expected a rejection, got ${JSON.stringify(value)}`)
}

/** Run `fn` and return what it throws, failing if it returns. */
export function thrown(fn) {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected a throw')
}
