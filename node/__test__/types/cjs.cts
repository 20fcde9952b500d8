// The same package from a CommonJS TypeScript file (`require`).
import smsauth = require('smsauth')

export function make(): smsauth.Client {
  const err = new smsauth.SmsAuthError('x', { code: smsauth.ErrorCode.INTERNAL })
  const code: smsauth.ErrorCode = err.code
  void code
  return new smsauth.Client({ accessKeyId: 'id', accessKeySecret: 'secret' })
}

// @ts-expect-error the CommonJS entry has no default export
void smsauth.default
