// A typical TypeScript (ES module) user of the package, checked by `tsc --noEmit`. The
// `@ts-expect-error` lines must stay errors: if the types degraded to `any`, tsc would fail.
import smsauth, {
  Client,
  ErrorCode,
  SmsAuthError,
  startEmulator,
  sign,
  Verifier,
  type CheckResult,
  type ClientOptions,
  type GuardOptions,
  type SendResult,
} from 'smsauth'

export async function signIn(phone: string, code: string): Promise<boolean> {
  const emu = startEmulator({ seed: 7 })
  const options: ClientOptions = {
    endpoint: emu.endpoint,
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    signName: '速通互联验证码',
    templateCode: '100001',
    signatureVersion: 'v3',
    timeoutMs: 5000,
    retry: { maxAttempts: 2 },
    templateParam: { code: '##code##', min: 5 },
  }
  const client = new Client(options)
  try {
    const sent: SendResult = await client.sendCode(phone, { codeLength: 6, codeType: 1, outId: 'o-1' })
    const bizId: string | undefined = sent.bizId
    const status: number = sent.httpStatus
    void bizId
    void status
    const typed: string | null = emu.lastCode(phone)
    const result: CheckResult = await client.checkCode(phone, typed ?? code, { caseAuthPolicy: 2 })
    if (result.verifyResult === 'PASS') return result.passed
    return false
  } catch (e) {
    if (e instanceof SmsAuthError) {
      const c: ErrorCode = e.code
      if (c === ErrorCode.THROTTLED && e.serviceCode === 'biz.FREQUENCY') return false
      const status: number | undefined = e.httpStatus
      const id: string | undefined = e.requestId
      const received: boolean = e.mayHaveBeenReceived
      void status, id, received
    }
    throw e
  } finally {
    emu.close()
  }
}

export async function guarded(ip: string): Promise<number | undefined> {
  const guard: GuardOptions = {
    phone: [{ max: 1, windowSeconds: 60 }],
    client: [{ max: 5, windowSeconds: 3600 }],
    prefix: null,
    dailyBudget: null,
    pricePerSms: 0.045,
    dailyMoneyCap: 20,
    wrongCode: { max: 3, lockSeconds: 600 },
    dryRun: false,
    onStoreError: 'open',
  }
  const client = new Client({ profile: 'prod', roleArn: { arn: 'acs:ram::1:role/sms', durationSeconds: 900 }, guard })
  try {
    await client.sendCode('13800138000', { clientKey: ip })
  } catch (e) {
    if (e instanceof SmsAuthError && e.code === ErrorCode.GUARD_DENIED) {
      const rule: string | undefined = e.guardRule
      void rule
      return e.retryAfter
    }
    throw e
  }
  return undefined
}

export function misuse(client: Client): void {
  // @ts-expect-error guard limits are { max, windowSeconds }
  void new Client({ guard: { phone: [{ max: 1, window: 60 }] } })
  // @ts-expect-error onStoreError is 'closed' | 'open'
  void new Client({ guard: { onStoreError: 'maybe' } })
  // @ts-expect-error the client key is a string
  void client.sendCode('13800138000', { clientKey: 42 })
  // @ts-expect-error the phone number is a string
  void client.sendCode(13800138000)
  // @ts-expect-error unknown override
  void client.sendCode('13800138000', { codelength: 6 })
  // @ts-expect-error code lengths are numbers
  void client.sendCode('13800138000', { codeLength: '6' })
  // @ts-expect-error CodeType is 1..7
  void client.sendCode('13800138000', { codeType: 9 })
  // @ts-expect-error the code is required
  void client.checkCode('13800138000')
  // @ts-expect-error signature versions are 'v1' | 'v3'
  void new Client({ signatureVersion: 'v2' })
  // @ts-expect-error ErrorCode values are fixed strings
  const bad: ErrorCode = 'ERR_SOMETHING'
  void bad
}

export function helpers(): string {
  const signed = sign(
    { host: 'dypnsapi.aliyuncs.com', action: 'SendSmsVerifyCode', params: { PhoneNumber: '13800138000' } },
    { accessKeyId: 'testid', accessKeySecret: 'testsecret', timestamp: 1_735_787_045, nonce: 'n' },
  )
  const headers: Array<[string, string]> = signed.headers
  const verified = new Verifier({ checkNonces: false }).verify(
    { method: signed.method, query: signed.query, headers },
    { testid: 'testsecret' },
    1_735_787_045,
  )
  const v: 'v1' | 'v3' = verified.version
  // The default export is the same API as the named exports.
  const same: typeof Client = smsauth.Client
  void same
  return v + signed.explanation.stringToSign + smsauth.version
}
