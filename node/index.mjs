// ES module entry point: the same objects as the CommonJS entry (`index.js`), so
// `import { Client } from 'smsauth'`, `import smsauth from 'smsauth'` and `require('smsauth')`
// all give the one `Client` class.
import smsauth from './index.js'

export const {
  Client,
  SmsAuthError,
  ErrorCode,
  channels,
  startEmulator,
  Emulator,
  Verifier,
  sign,
  explainV1,
  explainV3,
  formatTimestamp,
  parseTimestamp,
  percentEncode,
  normalizePhone,
  templateParam,
  version,
} = smsauth

export default smsauth
