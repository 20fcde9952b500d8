// Types of the ES module entry (`index.mjs`): the same named exports as the CommonJS entry,
// plus the default export (the whole API as one object).
import * as smsauth from './index.js'

export * from './index.js'
export default smsauth
