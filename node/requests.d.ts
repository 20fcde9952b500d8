/* Generated from the Rust core's field tables (node/src/fields.rs): do not edit. */

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
