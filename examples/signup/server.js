// `npm start`: the sign-up example on http://127.0.0.1:3000.
//
// With SMSAUTH_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID or ALIBABA_CLOUD_PROFILE set, codes go
// through that endpoint (default: the real service) with credentials from the default chain.
// With none of them, an offline emulator runs inside this process and the codes are printed here.
import { Client, startEmulator } from 'smsauth'

import { createApp } from './app.js'

const env = process.env
const useService = Boolean(env.SMSAUTH_ENDPOINT || env.ALIBABA_CLOUD_ACCESS_KEY_ID || env.ALIBABA_CLOUD_PROFILE)
const emulator = useService ? null : startEmulator()

const client = new Client({
  // Without these the client uses the credentials chain: ALIBABA_CLOUD_ACCESS_KEY_ID /
  // ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_PROFILE, ~/.aliyun/config.json, a RAM role…
  ...(emulator
    ? { endpoint: emulator.endpoint, accessKeyId: emulator.accessKeyId, accessKeySecret: emulator.accessKeySecret }
    : env.SMSAUTH_ENDPOINT
      ? { endpoint: env.SMSAUTH_ENDPOINT }
      : {}),
  signName: env.SMSAUTH_SIGN_NAME || '速通互联验证码', // a preset signature of the console
  templateCode: env.SMSAUTH_TEMPLATE_CODE || '100001', // a preset template of the console
  // The abuse guard with its defaults: 1 code per number per minute (5/h, 10/day), 10 sends per
  // visitor IP per hour, 30 per number prefix per hour, 1000 a day, and a 15-minute lock after
  // 5 wrong codes. A denied send never reaches the (paid) service.
  guard: {},
})

const app = createApp({
  client,
  // Emulator only: show the developer the SMS the user would have received.
  onCodeSent: emulator
    ? (phone) => console.log(`[emulator] SMS to ${phone}: ${emulator.messages(phone).at(-1)?.text}`)
    : undefined,
})

const server = app.listen(Number(env.PORT ?? 3000), env.HOST || '127.0.0.1', () => {
  const { address, port } = server.address()
  console.log(`Sign-up example listening on http://${address}:${port}`)
  if (emulator) {
    console.log(
      `No SMS is sent: codes go to the in-process emulator at ${emulator.endpoint} ` +
        `(printed below; also at ${emulator.endpoint}/_emulator/messages).`,
    )
  } else {
    console.log(`Sending real SMS via ${env.SMSAUTH_ENDPOINT || 'dypnsapi.aliyuncs.com'}.`)
  }
})
server.on('error', (e) => {
  console.error(`Cannot listen: ${e.message} (set PORT to use another port)`)
  process.exit(1)
})

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close()
    server.closeAllConnections()
    emulator?.close()
  })
}
