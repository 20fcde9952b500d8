/* Generated from the Rust core's field and option tables (tools/typegen): do not edit. */

/** `client.sendCode(phone, overrides)`: unset fields take the client's defaults. */
export interface SendOverrides {
  /** `CountryCode`; the service supports `86` only (its default). */
  countryCode?: string
  /** `SignName` (required): one of the console's preset signatures. */
  signName?: string
  /** `TemplateCode` (required): one of the console's preset templates. */
  templateCode?: string
  /**
   * `TemplateParam` (required): a JSON object; `##code##` marks where the generated code goes.
   * See [`template_param`].
   */
  templateParam?: string | Record<string, string | number | boolean>
  /** `SchemeName`: the verification scheme (≤ 20 characters); defaults to `默认方案`. */
  schemeName?: string
  /** `SmsUpExtendCode`: uplink extension code. */
  smsUpExtendCode?: string
  /** `OutId`: your own reference, echoed back. */
  outId?: string
  /** `CodeLength`: 4–8 (service default 4). */
  codeLength?: number
  /** `ValidTime`: seconds the code stays valid (service default 300). */
  validTime?: number
  /** `DuplicatePolicy`. */
  duplicatePolicy?: 1 | 2
  /** `Interval`: seconds before another code may be sent to this number (service default 60). */
  interval?: number
  /** `CodeType`. */
  codeType?: 1 | 2 | 3 | 4 | 5 | 6 | 7
  /** `ReturnVerifyCode`: return the code in the answer (for your own records or tests). */
  returnVerifyCode?: boolean
  /** `AutoRetry`: let the service retry delivery on another channel (1 = yes). */
  autoRetry?: number
  /** `DuplicateCheck` (in the product's sample; newer than the 2.0.0 SDK). */
  duplicateCheck?: boolean
  /** `EarlyWarn` (in the product's sample; newer than the 2.0.0 SDK). */
  earlyWarn?: boolean
  /** `OwnerId`. */
  ownerId?: number
  /** `ResourceOwnerAccount`. */
  resourceOwnerAccount?: string
  /** `ResourceOwnerId`. */
  resourceOwnerId?: number
  /**
   * Who asks for the code — the caller's IP address, device or session id — for the guard's
   * per-client limits (`GuardOptions.client`). Not sent to the service.
   */
  clientKey?: string
}

/** `client.sendSmsVerifyCode(request)`: sent exactly as given (no client defaults). */
export interface SendSmsVerifyCodeRequest {
  /**
   * `PhoneNumber` (required). For CountryCode 86, `+86`, `86`, spaces and dashes are accepted
   * and removed: `+86 138-0013-8000` is sent as `13800138000`.
   */
  phoneNumber: string
  /** `CountryCode`; the service supports `86` only (its default). */
  countryCode?: string
  /** `SignName` (required): one of the console's preset signatures. */
  signName?: string
  /** `TemplateCode` (required): one of the console's preset templates. */
  templateCode?: string
  /**
   * `TemplateParam` (required): a JSON object; `##code##` marks where the generated code goes.
   * See [`template_param`].
   */
  templateParam?: string | Record<string, string | number | boolean>
  /** `SchemeName`: the verification scheme (≤ 20 characters); defaults to `默认方案`. */
  schemeName?: string
  /** `SmsUpExtendCode`: uplink extension code. */
  smsUpExtendCode?: string
  /** `OutId`: your own reference, echoed back. */
  outId?: string
  /** `CodeLength`: 4–8 (service default 4). */
  codeLength?: number
  /** `ValidTime`: seconds the code stays valid (service default 300). */
  validTime?: number
  /** `DuplicatePolicy`. */
  duplicatePolicy?: 1 | 2
  /** `Interval`: seconds before another code may be sent to this number (service default 60). */
  interval?: number
  /** `CodeType`. */
  codeType?: 1 | 2 | 3 | 4 | 5 | 6 | 7
  /** `ReturnVerifyCode`: return the code in the answer (for your own records or tests). */
  returnVerifyCode?: boolean
  /** `AutoRetry`: let the service retry delivery on another channel (1 = yes). */
  autoRetry?: number
  /** `DuplicateCheck` (in the product's sample; newer than the 2.0.0 SDK). */
  duplicateCheck?: boolean
  /** `EarlyWarn` (in the product's sample; newer than the 2.0.0 SDK). */
  earlyWarn?: boolean
  /** `OwnerId`. */
  ownerId?: number
  /** `ResourceOwnerAccount`. */
  resourceOwnerAccount?: string
  /** `ResourceOwnerId`. */
  resourceOwnerId?: number
}

/** `client.checkCode(phone, code, overrides)`: unset fields take the client's defaults. */
export interface CheckOverrides {
  /** `CountryCode`. */
  countryCode?: string
  /** `SchemeName`: must match the one used to send. */
  schemeName?: string
  /** `OutId`. */
  outId?: string
  /** `CaseAuthPolicy`. */
  caseAuthPolicy?: 1 | 2
  /** `OwnerId`. */
  ownerId?: number
  /** `ResourceOwnerAccount`. */
  resourceOwnerAccount?: string
  /** `ResourceOwnerId`. */
  resourceOwnerId?: number
}

/** `client.checkSmsVerifyCode(request)`: sent exactly as given (no client defaults). */
export interface CheckSmsVerifyCodeRequest {
  /** `PhoneNumber` (required), normalised as for sending. */
  phoneNumber: string
  /** `VerifyCode` (required): 4–8 ASCII letters or digits. */
  verifyCode: string
  /** `CountryCode`. */
  countryCode?: string
  /** `SchemeName`: must match the one used to send. */
  schemeName?: string
  /** `OutId`. */
  outId?: string
  /** `CaseAuthPolicy`. */
  caseAuthPolicy?: 1 | 2
  /** `OwnerId`. */
  ownerId?: number
  /** `ResourceOwnerAccount`. */
  resourceOwnerAccount?: string
  /** `ResourceOwnerId`. */
  resourceOwnerId?: number
}

/**
 * Options of `new Client(options)`. Every field is optional.
 *
 * Without `accessKeyId`/`accessKeySecret` the core's default credentials chain is used:
 * `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` (and
 * `ALIBABA_CLOUD_SECURITY_TOKEN`), then OIDC, the CLI profile, the credentials file, the ECS
 * RAM role and a credentials URI. `null` unsets an option where the type allows it.
 *
 * ```ts
 * const client = new Client({
 *   accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
 *   accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
 *   signName: '速通互联验证码',
 *   templateCode: '100001',
 * })
 * ```
 */
export interface ClientOptions {
  /** AccessKey ID (with `accessKeySecret`). */
  accessKeyId?: string | null
  /** AccessKey secret (with `accessKeyId`). */
  accessKeySecret?: string | null
  /** STS security token (temporary keys; needs the pair too). */
  securityToken?: string | null
  /** A profile of `~/.aliyun/config.json` or the credentials file, by name. */
  profile?: string | null
  /** A RAM role to assume (`acs:ram::<account id>:role/<name>`). Or the role's options. */
  roleArn?: string | RoleArnOptions
  /** A host (https) or an `http(s)://host[:port]` URL. */
  endpoint?: string
  /** `https` or `http` for a bare-host endpoint. */
  scheme?: string | null
  /** Signature scheme: `v3` (ACS3-HMAC-SHA256, the default) or `v1`. */
  signatureVersion?: 'v3' | 'v1'
  /** Total deadline of one call, retries included (default 30 s). In milliseconds. */
  timeoutMs?: number | null
  /** Connect timeout (default 5 s). In milliseconds. */
  connectTimeoutMs?: number | null
  /** The longest wait for the next bytes of an answer (default 10 s). In milliseconds. */
  readTimeoutMs?: number | null
  /**
   * Retry policy (`ClientOptions.retry`). Sends are never retried once they may have reached
   * the service.
   */
  retry?: RetryOptions
  /** Send through this proxy: `http://host:port` or `https://host:port`. */
  proxy?: string | null
  /** Ignore the proxy environment variables. */
  noProxy?: boolean | null
  /** Also trust the CA certificates in this PEM (the public roots stay). */
  caCertificates?: string | string[] | null
  /** The default of every request's `SignName`: one of the console's preset signatures. */
  signName?: string | null
  /** The default of every request's `TemplateCode`: one of the console's preset templates. */
  templateCode?: string | null
  /**
   * The default of every request's `TemplateParam`: a JSON object; `##code##` marks where the generated code goes.
   * See [`templateParam`].
   */
  templateParam?: string | Record<string, string | number | boolean> | null
  /** The default of every request's `SchemeName`: the verification scheme (≤ 20 characters); defaults to `默认方案`. */
  schemeName?: string | null
  /** The default of every request's `CountryCode`; the service supports `86` only (its default). */
  countryCode?: string | null
  /** The default of every request's `CodeType`. */
  codeType?: 1 | 2 | 3 | 4 | 5 | 6 | 7 | null
  /** The default of every request's `CodeLength`: 4–8 (service default 4). */
  codeLength?: number | null
  /** The default of every request's `ValidTime`: seconds the code stays valid (service default 300). */
  validTime?: number | null
  /** The default of every request's `Interval`: seconds before another code may be sent to this number (service default 60). */
  interval?: number | null
  /** The default of every request's `DuplicatePolicy`. */
  duplicatePolicy?: 1 | 2 | null
  /** The default of every request's `CaseAuthPolicy`. */
  caseAuthPolicy?: 1 | 2 | null
  /** The abuse guard (see `GuardOptions`). Default: no guard. */
  guard?: GuardOptions
}

/**
 * Retry policy (`ClientOptions.retry`). Sends are never retried once they may have reached
 * the service.
 */
export interface RetryOptions {
  /** Attempts per call, the first included: 1–10 (default 3). */
  maxAttempts?: number | null
  /** Backoff before the first retry, doubled each time (100 ms). In milliseconds. */
  initialBackoffMs?: number | null
  /** Upper bound of one backoff (default 2 s). In milliseconds. */
  maxBackoffMs?: number | null
  /** The longest server-requested wait honoured (default 5 s). In milliseconds. */
  maxRetryAfterMs?: number | null
}

/**
 * `ClientOptions.roleArn`: assume a RAM role with STS `AssumeRole` (temporary credentials
 * cached and refreshed early), signed with the client's `accessKeyId`/`accessKeySecret`, else
 * the `profile`'s credentials, else the default chain's.
 */
export interface RoleArnOptions {
  /** A RAM role to assume (`acs:ram::<account id>:role/<name>`). */
  arn: string
  /** The role's session name (2–64 of `A-Za-z0-9.@-_`). */
  sessionName?: string | null
  /** Lifetime of the role's credentials, 900–43200 s. */
  durationSeconds?: number | null
  /** A policy (JSON) narrowing the role's permissions. */
  policy?: string | null
  /** The external ID the role's trust policy may require. */
  externalId?: string | null
  /** STS host or URL for the role (default: the region's, else sts.aliyuncs.com). */
  stsEndpoint?: string | null
  /** STS region for the role, e.g. `cn-hangzhou`. */
  stsRegion?: string | null
}

/**
 * The abuse guard (`new Client({ guard: { … } })`): limits checked before every
 * `sendCode` / `checkCode`, so a public "send me a code" form cannot bomb a phone, pump a number
 * range or run up the bill. A refusal rejects with `ERR_SMSAUTH_GUARD_DENIED` (`guardRule`
 * names the limit, `retryAfter` says in how many seconds it allows again) and nothing is sent.
 * `sendSmsVerifyCode` / `checkSmsVerifyCode` are not guarded.
 *
 * `guard: {}` turns every rule on with its default; an empty array or `null` turns one off.
 * State is kept in this process's memory unless `redisUrl` is set.
 *
 * ```ts
 * const client = new Client({ guard: { client: [{ max: 5, windowSeconds: 3600 }], dailyBudget: 200 } })
 * await client.sendCode(phone, { clientKey: req.ip })
 * ```
 */
export interface GuardOptions {
  /** Sends per phone number (default 1/60 s, 5/h, 10/24 h); empty: off. */
  phone?: GuardLimit[] | null
  /** Sends per client key (default 10 per hour); empty: off. */
  client?: GuardLimit[] | null
  /** Refuse sends without a client key (default false). */
  requireClientKey?: boolean
  /** Sends per number prefix (default 30 per hour); empty: off. */
  prefix?: GuardLimit[] | null
  /** Digits of a number prefix, 1–11 (default 7). */
  prefixDigits?: number
  /** Sends in any 24 hours for the whole app (default 1000). */
  dailyBudget?: number | null
  /** The price of one SMS, for the money cap. */
  pricePerSms?: number | null
  /** Most money spent in any 24 hours (needs the price). */
  dailyMoneyCap?: number | null
  /** Wrong codes per number before a lock (default 5 within 1 h, locked 15 min); unset: off. */
  wrongCode?: WrongCodeOptions | null
  /** Only report what would be refused (default false). */
  dryRun?: boolean
  /** What to do when the store fails: `closed` (refuse, the default) or `open`. */
  onStoreError?: 'closed' | 'open'
  /** Most keys the in-memory store keeps, ≥ 16 (default 100 000). */
  maxKeys?: number
  /** Keep the state in Redis at this URL (needs `guard-redis`). */
  redisUrl?: string | null
  /** Namespace of the Redis keys (default `smsauth:guard:`). */
  redisKeyPrefix?: string
  /** The longest wait for the store, 1–60000 ms (250). */
  storeTimeoutMs?: number
}

/** One limit of the guard: at most `max` sends in any `windowSeconds` (a sliding window). */
export interface GuardLimit {
  /** The most sends allowed in the window, 1 to 1000000. */
  max: number
  /** The window in seconds, 1 to 2678400 (31 days). */
  windowSeconds: number
}

/** The guard's wrong-code lock (`GuardOptions.wrongCode`). Unset fields keep their defaults. */
export interface WrongCodeOptions {
  /**
   * Wrong codes allowed before the lock (the last of them still gets its answer); 0 turns
   * the rule off. Default 5.
   */
  max?: number
  /** How long a wrong code counts, in seconds. Default 3600. */
  windowSeconds?: number
  /** How long the lock lasts, in seconds. Default 900. */
  lockSeconds?: number
}

/** Options of `startEmulator(options)`. Every field is optional. */
export interface EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number
  /**
   * Accepted AccessKey pairs `[id, secret]`; the first is the one the emulator reports as its own
   * (default `[['testid', 'testsecret']]`).
   */
  accounts?: Array<[string, string]>
  /** The accepted AccessKey ID (default `testid`). */
  accessKeyId?: string
  /** Its secret (default `testsecret`). */
  accessKeySecret?: string
  /** Wrong checks after which a code is void (default 5). */
  maxWrongTries?: number
  /** Codes per phone number per day before `BUSINESS_LIMIT_CONTROL` (default 10). */
  dailyLimit?: number
  /** Accepted clock skew of request timestamps in seconds, either way (default 900). */
  timestampWindowSeconds?: number
  /** A code that passed cannot pass again (default `true`). */
  consumeOnPass?: boolean
  /** Seed of the random source: the same seed gives the same codes. */
  seed?: number
  /** Start of the emulated clock (Unix seconds); default the real time. */
  startTime?: number
  /** Check request timestamps against the emulated clock (default `true`). */
  verifyWithEmulatedClock?: boolean
  /** Message texts by `TemplateCode`, with `${name}` placeholders (added to the defaults). */
  templates?: Record<string, string>
  /** Outbox size (default 10000). */
  maxMessages?: number
  /** Print one line per request to stderr. */
  logRequests?: boolean
  /**
   * Accept any signature and template and apply no flow control (default `false`: faithful
   * to the service, see the fidelity table in the emulator's README).
   */
  lenient?: boolean
}

/**
 * A fault rule for `emulator.addFault(fault)`: what happens to matching API requests.
 *
 * `kind`: `'latency'` (`ms`), `'server_error'` (`status`, default 500; `plain`), `'throttle'`
 * (`retryAfterMs`), `'malformed'`, `'truncated'`, `'html'`, `'oversized'` (`bytes`), `'drop'`,
 * `'drop_mid_response'`, `'slow_drip'` (`chunkBytes`, `intervalMs`).
 */
export interface EmulatorFault {
  /** What happens. */
  kind: 'latency' | 'server_error' | 'throttle' | 'malformed' | 'truncated' | 'html' | 'oversized' | 'drop' | 'drop_mid_response' | 'slow_drip'
  /** `latency`: added delay in milliseconds. */
  ms?: number
  /** `server_error`: the HTTP status (default 500). */
  status?: number
  /**
   * `server_error`: answer with a `text/plain` reason phrase, as a load balancer would,
   * instead of the gateway's JSON error (default `false`).
   */
  plain?: boolean
  /** `throttle`: the `x-acs-retry-after` header in milliseconds. */
  retryAfterMs?: number
  /** `oversized`: body size in bytes (default 2 MiB). */
  bytes?: number
  /** `slow_drip`: bytes per write (default 16). */
  chunkBytes?: number
  /** `slow_drip`: pause between writes in milliseconds (default 200). */
  intervalMs?: number
  /** Only this action (`SendSmsVerifyCode` / `CheckSmsVerifyCode`). */
  action?: string
  /** Only this phone number. */
  phone?: string
  /** Chance a matching request is hit, 0 to 1 (default 1). */
  probability?: number
  /** Fire this many times, then disappear (default: forever). */
  times?: number
}

/** What `explainV3()` signs: exactly the headers given. */
export interface ExplainV3Parts {
  /** HTTP method. */
  method: string
  /** Path; default `/`. */
  path?: string
  /** Query parameters, decoded. */
  query?: Record<string, string> | Array<[string, string]>
  /** The headers to sign (all of them are signed). */
  headers: Record<string, string> | Array<[string, string]>
  /** The body, text (UTF-8) or bytes; default empty. */
  body?: string | Uint8Array
  /** AccessKey ID. */
  accessKeyId: string
  /** AccessKey secret. */
  accessKeySecret: string
}

/** A request as a server received it (`verifier.verify(request, secrets)`). */
export interface HttpRequestInit {
  /** `POST`, `GET`, … */
  method: string
  /** Path; default `/`. */
  path?: string
  /** The raw query string without `?`, still percent-encoded. */
  query?: string
  /** Headers as received (any case). */
  headers?: Record<string, string> | Array<[string, string]>
  /**
   * The body as received: a string (UTF-8) or the raw bytes (a form body carries parameters
   * too).
   */
  body?: string | Uint8Array
}

/** Options of `new Verifier(options)`. */
export interface VerifierOptions {
  /** Accept timestamps within ± this many seconds of `now` (default 900). */
  windowSeconds?: number
  /** Refuse a nonce seen before within the window (default `true`). */
  checkNonces?: boolean
  /** Live nonces remembered before new requests get `Throttling.User` (default 1,000,000). */
  nonceCapacity?: number
  /** At most this many live nonces per AccessKey ID (default: no quota). */
  perKeyQuota?: number
  /** Accept only requests for these `host[:port]` values (default: any host). */
  expectedHosts?: Array<string>
  /**
   * Keep nonces in Redis at this URL, shared by every instance (needs a build with the
   * `guard-redis` feature; otherwise an invalid-input error saying so).
   */
  nonceRedisUrl?: string
  /** Accept requests while Redis is unavailable (default `false`: refuse them). */
  nonceRedisFailOpen?: boolean
}

/** The answer to a send whose `Code` was `OK` (any other code rejects with an `SmsAuthError`). */
export interface SendResult {
  /** `RequestId` of the call, to quote to Alibaba Cloud support. */
  requestId: string
  /** `Model.BizId`: the delivery receipt id. */
  bizId?: string
  /** `Model.OutId`, echoed. */
  outId?: string
  /** `Model.VerifyCode`: only when `returnVerifyCode: true` was sent. */
  verifyCode?: string
  /** `Model.RequestId`: the inner request's id. */
  modelRequestId?: string
  /** `Code` (always `'OK'` here: any other code is an error). */
  code: string
  /** `Message`. */
  message: string
  /** `Success`. */
  success: boolean
  /** HTTP status of the answer. */
  httpStatus: number
  /** `AccessDeniedDetail` as JSON text, when present. */
  accessDeniedDetail?: string
}

/**
 * The answer to a check whose `Code` was `OK`. A wrong, expired or unknown code is not an
 * error: `passed` is `false` and `verifyResult` is `'UNKNOWN'`.
 */
export interface CheckResult {
  /** `true` only when the service said `PASS`. */
  passed: boolean
  /** `Model.VerifyResult`: `'PASS'`, `'UNKNOWN'`, or a value this version does not know. */
  verifyResult: 'PASS' | 'UNKNOWN' | (string & {})
  /** `Model.OutId`, echoed. */
  outId?: string
  /** `RequestId` of the call. */
  requestId: string
  /** `Code` (always `'OK'` here). */
  code: string
  /** `Message`. */
  message: string
  /** `Success`. */
  success: boolean
  /** HTTP status of the answer. */
  httpStatus: number
  /** `AccessDeniedDetail` as JSON text, when present. */
  accessDeniedDetail?: string
}

/** How a signature was computed: compare it with a gateway's `SignatureDoesNotMatch` message. */
export interface Explanation {
  /** V1: the canonicalized query string; V3: the canonical request. */
  canonicalRequest: string
  /** The exact string that was HMAC'd. */
  stringToSign: string
  /** The signature (Base64 for V1, hex for V3). */
  signature: string
}

/** `explainV3`'s answer: the explanation plus the `Authorization` header value. */
export interface ExplanationV3 {
  /** V1: the canonicalized query string; V3: the canonical request. */
  canonicalRequest: string
  /** The exact string that was HMAC'd. */
  stringToSign: string
  /** The signature (Base64 for V1, hex for V3). */
  signature: string
  /** The `Authorization` header value. */
  authorization: string
}

/**
 * A request whose signature checked out. `securityToken` (when sent) is a non-enumerable
 * property, so it stays out of logs and JSON.
 */
export interface Verified {
  /** `'v1'` or `'v3'`. */
  version: 'v1' | 'v3'
  /** The AccessKey ID that signed. */
  accessKeyId: string
  /** The STS token sent with the request (compare it with the one you issued). */
  securityToken?: string
  /** The API action. */
  action: string
  /** The API version. */
  apiVersion: string
  /** Business parameters, without the signing parameters. */
  params: Array<[string, string]>
  /** The request's timestamp (Unix seconds). */
  timestamp: number
  /** The request's nonce. */
  nonce: string
}

/** `client.stats()`: the client's counters since it was built. */
export interface Stats {
  /** `SendSmsVerifyCode` calls, whatever their outcome (guard denials included). */
  sends: number
  /** `CheckSmsVerifyCode` calls, whatever their outcome. */
  checks: number
  /** Checks whose code passed. */
  passes: number
  /** Guard denials by rule name (`{ 'phone:1/60s': 2 }`). */
  guardDenials: Record<string, number>
  /** Failed calls by error kind (`{ throttled: 1 }`; kinds never seen are absent). */
  errors: Record<string, number>
  /** Upper bounds (inclusive, ms) of the latency buckets; one more bucket counts slower calls. */
  latencyBoundsMs: Array<number>
  /** Calls per latency bucket (each bucket counts its own calls, not the ones below it). */
  latencyBuckets: Array<number>
  /** Sum of all call latencies in milliseconds. */
  latencySumMs: number
}
