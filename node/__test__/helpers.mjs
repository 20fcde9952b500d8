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
