// Types of the `smsauth` package. The native classes and functions (`Client`, signing helpers,
// the emulator) are declared in the generated `native.d.ts`, from the Rust doc comments; the
// option, request and result shapes in the generated `requests.d.ts`, from the core's tables;
// this file adds the JavaScript-only parts.

export {
  Client,
  Emulator,
  Verifier,
  startEmulator,
  explainV1,
  explainV3,
  formatTimestamp,
  parseTimestamp,
  percentEncode,
  normalizePhone,
  templateParam,
} from './native'
// Generated from the core's field, option and attribute tables (each API field, option and answer
// attribute is declared once, in Rust).
export type {
  CheckOverrides,
  CheckResult,
  CheckSmsVerifyCodeRequest,
  ClientOptions,
  EmulatorFault,
  EmulatorOptions,
  ExplainV3Parts,
  Explanation,
  ExplanationV3,
  GuardLimit,
  GuardOptions,
  HttpRequestInit,
  RetryOptions,
  RoleArnOptions,
  SendOverrides,
  SendResult,
  SendSmsVerifyCodeRequest,
  Stats,
  Verified,
  VerifierOptions,
  WrongCodeOptions,
} from './requests'
import type { EmulatorFault, Explanation } from './requests'

// `sign()` is JavaScript (its native half is internal): its shapes are declared here.

/** An RPC call to sign (`sign(request, options)`). */
export interface RpcRequestInit {
  /**
   * Host (and `:port` when not the default), as sent in the `host` header; default
   * `dypnsapi.aliyuncs.com`.
   */
  host?: string
  /** API action, e.g. `SendSmsVerifyCode`. */
  action: string
  /** API version; default `2017-05-25`. */
  version?: string
  /** HTTP method; default `POST`. */
  method?: string
  /** Business parameters (without the common signing parameters). */
  params?: Record<string, string> | Array<[string, string]>
  /** Extra headers; under V3, `content-type` and `x-acs-*` ones are signed. */
  headers?: Record<string, string> | Array<[string, string]>
}

/** Credentials, scheme, time and nonce for `sign()`. */
export interface SignOptions {
  /** AccessKey ID. */
  accessKeyId: string
  /** AccessKey secret (never shown in errors). */
  accessKeySecret: string
  /** STS security token, for temporary credentials. */
  securityToken?: string
  /** `'v3'` (default) or `'v1'`. */
  signatureVersion?: 'v1' | 'v3'
  /** Unix seconds; default now. */
  timestamp?: number
  /** The nonce; default 128 random bits as hex. */
  nonce?: string
}

/** A signed request, ready to send as `METHOD pathAndQuery` with `headers`. */
export interface SignedRequest {
  /** `'v1'` or `'v3'`. */
  version: 'v1' | 'v3'
  /** HTTP method. */
  method: string
  /** Path (`/`). */
  path: string
  /** The query string as sent (RFC 3986 encoded, sorted; for V1 `Signature` is last). */
  query: string
  /** `path?query`. */
  pathAndQuery: string
  /** Headers to send, including `host` (and `Authorization` for V3). */
  headers: Array<[string, string]>
  /** The body (empty for Dypnsapi calls). */
  body: string
  /** How the signature was computed (rebuilt by the core when first read). */
  explanation: Explanation
}

/**
 * Sign an RPC request with V3 (default) or V1, at `options.timestamp` with `options.nonce`
 * (both default to now / random), exactly as the client does before sending. `explanation` is
 * computed when first read, so signing alone does not pay for it.
 *
 * ```ts
 * const signed = sign(
 *   { host: 'dypnsapi.aliyuncs.com', action: 'SendSmsVerifyCode', params: { PhoneNumber: '13800138000' } },
 *   { accessKeyId: 'testid', accessKeySecret: 'testsecret', timestamp: 1735787045, nonce: 'n-1' },
 * )
 * signed.explanation.stringToSign // 'ACS3-HMAC-SHA256\n…'
 * ```
 */
export declare function sign(request: RpcRequestInit, options: SignOptions): SignedRequest

/** The stable `code` of an {@link SmsAuthError}: one per error kind of the Rust core. */
export type ErrorCode =
  | 'ERR_SMSAUTH_INVALID_INPUT'
  | 'ERR_SMSAUTH_CREDENTIALS'
  | 'ERR_SMSAUTH_NETWORK'
  | 'ERR_SMSAUTH_TIMEOUT'
  | 'ERR_SMSAUTH_AUTHENTICATION'
  | 'ERR_SMSAUTH_THROTTLED'
  | 'ERR_SMSAUTH_SERVICE'
  | 'ERR_SMSAUTH_PROTOCOL'
  | 'ERR_SMSAUTH_INTERNAL'
  | 'ERR_SMSAUTH_GUARD_DENIED'

/**
 * The error codes by name: `ErrorCode.THROTTLED === 'ERR_SMSAUTH_THROTTLED'`.
 *
 * ```ts
 * try {
 *   await client.sendCode(phone)
 * } catch (e) {
 *   if (e instanceof SmsAuthError && e.code === ErrorCode.THROTTLED) {
 *     // biz.FREQUENCY (sent too recently), BUSINESS_LIMIT_CONTROL (daily cap) or gateway flow control
 *   }
 * }
 * ```
 */
export declare const ErrorCode: Readonly<{
  /** A request field or option is missing or malformed (`field` names it). Nothing was sent. */
  INVALID_INPUT: 'ERR_SMSAUTH_INVALID_INPUT'
  /** No usable credentials. Nothing was sent. */
  CREDENTIALS: 'ERR_SMSAUTH_CREDENTIALS'
  /** The connection could not be made or broke; see `mayHaveBeenReceived`. */
  NETWORK: 'ERR_SMSAUTH_NETWORK'
  /** A deadline passed; see `mayHaveBeenReceived` before resending a code. */
  TIMEOUT: 'ERR_SMSAUTH_TIMEOUT'
  /** The gateway rejected the signature, AccessKey, timestamp, nonce or token. */
  AUTHENTICATION: 'ERR_SMSAUTH_AUTHENTICATION'
  /** Too many requests: `biz.FREQUENCY`, `BUSINESS_LIMIT_CONTROL` or gateway `Throttling*`. */
  THROTTLED: 'ERR_SMSAUTH_THROTTLED'
  /** Any other business or gateway error (`serviceCode` says which). */
  SERVICE: 'ERR_SMSAUTH_SERVICE'
  /** The answer could not be understood (not JSON, truncated, too large). */
  PROTOCOL: 'ERR_SMSAUTH_PROTOCOL'
  /** A bug inside this library. */
  INTERNAL: 'ERR_SMSAUTH_INTERNAL'
  /** The abuse guard refused the call before anything was sent (`guardRule` names the limit). */
  GUARD_DENIED: 'ERR_SMSAUTH_GUARD_DENIED'
}>

/**
 * Every rejection of a `Client` call and every error thrown for a bad value. Wrongly typed
 * arguments throw a `TypeError` (`code: 'ERR_INVALID_ARG_TYPE'`) instead, out-of-range numbers
 * a `RangeError` (`code: 'ERR_OUT_OF_RANGE'`).
 *
 * Messages say what went wrong and what to do; they never contain the AccessKey secret or
 * the STS token.
 */
export declare class SmsAuthError extends Error {
  constructor(message: string, details?: Partial<Omit<SmsAuthError, 'name' | 'message' | 'stack'>>)
  readonly name: 'SmsAuthError'
  /** Stable code per error kind, e.g. `'ERR_SMSAUTH_THROTTLED'`. */
  code: ErrorCode
  /** The core's kind name, e.g. `'throttled'`. */
  kind:
    | 'invalid_input'
    | 'credentials'
    | 'network'
    | 'timeout'
    | 'authentication'
    | 'throttled'
    | 'service'
    | 'protocol'
    | 'internal'
    | 'guard_denied'
  /** For `ERR_SMSAUTH_INVALID_INPUT`: the API name of the field at fault, e.g. `'PhoneNumber'`. */
  field?: string
  /** The service's raw `Code`, e.g. `'biz.FREQUENCY'` or `'SignatureDoesNotMatch'`. */
  serviceCode?: string
  /** The service's raw `Message`. */
  serviceMessage?: string
  /** The `RequestId`, to quote when asking Alibaba Cloud support. */
  requestId?: string
  /** HTTP status of the answer, when there was one. */
  httpStatus?: number
  /** The gateway's `Recommend` troubleshooting link. */
  recommend?: string
  /** The gateway's `HostId`. */
  hostId?: string
  /** `AccessDeniedDetail` as JSON text. */
  accessDeniedDetail?: string
  /** For throttling and guard denials: how long to wait before trying again, in milliseconds. */
  retryAfterMs?: number
  /**
   * For `ERR_SMSAUTH_GUARD_DENIED`: the rule that refused the call, e.g. `'phone:1/60s'`,
   * `'client:10/3600s'`, `'prefix:30/3600s'`, `'budget:daily'`, `'check:locked'`.
   */
  guardRule?: string
  /** For `ERR_SMSAUTH_GUARD_DENIED`: in how many seconds (rounded up) the rule allows again. */
  retryAfter?: number
  /**
   * Whether the request may have reached the service: `'not_received'` (provably not — safe to
   * retry), `'answered'` (the service answered with this error) or `'unknown'` (a timeout or a
   * lost connection after sending: a resent code may be a second SMS).
   */
  delivery: 'not_received' | 'answered' | 'unknown'
  /** `true` unless the request provably never reached the service. */
  mayHaveBeenReceived: boolean
  /** For a failed `Verifier.verify` with `SignatureDoesNotMatch`: what the server signed. */
  stringToSign?: string
  /** For a failed `Verifier.verify` with `SignatureDoesNotMatch`: the server's canonical request. */
  canonicalRequest?: string
}

/** This package's version (the same as its Rust core's). */
export declare const version: string

/**
 * The context object of one client call, published on {@link channels}: `action` and the masked
 * `phone` at `start`, the core's event once the call settled (`end` / `error`). It never holds a
 * secret, a full phone number or a code.
 */
export interface CallEvent {
  /** `'SendSmsVerifyCode'` or `'CheckSmsVerifyCode'`. */
  action: string
  /** The phone number, masked: `'138****8000'`. */
  phone: string
  signatureVersion?: 'v1' | 'v3'
  /** The endpoint's host (OpenTelemetry `server.address`) and its explicit port, if any. */
  serverAddress?: string
  serverPort?: number | null
  /** HTTP attempts made (0 when the call failed before sending: bad input, guard denial). */
  attempts?: number
  /** Why each retry happened: `'network'`, `'throttled:Throttling.User'`, … */
  retryReasons?: string[]
  httpStatus?: number | null
  /** The service's `Code` (`'OK'` on success). */
  serviceCode?: string | null
  requestId?: string | null
  /** Wall time of the whole call, guard and retries included. */
  elapsedMs?: number
  delivery?: 'not_received' | 'answered' | 'unknown'
  guardDecision?: 'not_guarded' | 'allowed' | 'denied'
  /** The guard rule that refused the call, e.g. `'phone:1/60s'`. */
  guardRule?: string | null
  /** For a successful check: whether the code passed. */
  passed?: boolean | null
  /** The core's error kind when the call failed (`'throttled'`, …). */
  errorKind?: SmsAuthError['kind'] | null
  /** On `smsauth:call:error`: the rejection. */
  error?: unknown
}

/**
 * The `node:diagnostics_channel` channels of client calls (`smsauth:call:start`,
 * `smsauth:call:end`, `smsauth:call:error`); each message is a {@link CallEvent}. Nothing is
 * built or published unless a channel has subscribers.
 *
 * ```ts
 * import diagnostics from 'node:diagnostics_channel'
 * diagnostics.subscribe('smsauth:call:end', (event) => console.log(event))
 * ```
 */
export declare const channels: Readonly<{
  start: import('node:diagnostics_channel').Channel
  end: import('node:diagnostics_channel').Channel
  error: import('node:diagnostics_channel').Channel
}>

// The emulator's operations: JavaScript methods over its native entry point (`emulator.rs`).
declare module './native' {
  interface Emulator {
    /**
     * The outbox, oldest first; with `phone`, only the messages sent to it (written any way
     * the client accepts, e.g. `+86 138…`).
     */
    messages(phone?: string): Array<EmulatorMessage>
    /** The newest code sent to `phone`, or `null`. */
    lastCode(phone: string): string | null
    /**
     * Move the emulated clock forward by `seconds` (code expiry, send intervals, daily caps,
     * STS expiry). Nothing sleeps.
     */
    advanceClock(seconds: number): void
    /** Emulated Unix seconds. */
    now(): number
    /**
     * Forget the outbox, codes, limits, faults and nonces; set the clock back to its start
     * and the request count to zero.
     */
    reset(): void
    /**
     * Inject a fault into the answers to matching requests; rules are tried in the order
     * added.
     */
    addFault(fault: EmulatorFault): void
    /** Remove every fault. */
    clearFaults(): void
    /** API requests received since the emulator started or was last reset. */
    requestCount(): number
    /** Temporary credentials valid for `ttlSeconds` (at least 1) of emulated time. */
    issueSts(ttlSeconds: number): EmulatorStsCredentials
  }
}

/** One SMS the emulator "sent" (`emulator.messages()`). */
export interface EmulatorMessage {
  /** The 11-digit number it went to. */
  phoneNumber: string
  /** `CountryCode` (`86`). */
  countryCode: string
  /** `SchemeName`. */
  schemeName: string
  /** `SignName`. */
  signName: string
  /** `TemplateCode`. */
  templateCode: string
  /** The generated code (empty when the template had no `##code##`). */
  code: string
  /** The rendered text, `【SignName】…`. */
  text: string
  /** `BizId` of the send. */
  bizId: string
  /** `OutId`, when given. */
  outId?: string
  /** Emulated Unix seconds when it was sent. */
  sentAt: number
  /** Emulated Unix seconds when the code expires. */
  expiresAt: number
}

/**
 * Temporary credentials from `emulator.issueSts(ttlSeconds)`. The secret and the token are
 * non-enumerable, so they stay out of logs and JSON.
 */
export interface EmulatorStsCredentials {
  /** The temporary AccessKey ID (`STS.…`). */
  accessKeyId: string
  /** Its secret (non-enumerable). */
  accessKeySecret: string
  /** The security token (non-enumerable). */
  securityToken: string
  /** Emulated Unix seconds after which the token is expired. */
  expiresAt: number
}
