// Worker threads that load the addon one after another, each with its own emulator and client:
// the process must survive every worker's start and end (a new thread's first allocation in the
// addon once crashed the process after an earlier worker had ended: mimalloc v3's thread
// initialisation in a dlopen'ed module; the workspace now builds mimalloc's v2 line).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'

const pkg = fileURLToPath(new URL('../index.js', import.meta.url))

const SCRIPT = `
const { Worker } = require('node:worker_threads')
const source = \`
const { parentPort, workerData } = require('node:worker_threads')
const s = require(workerData.pkg)
const emu = s.startEmulator()
const c = new s.Client({ endpoint: emu.endpoint, accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret,
  signName: '速通互联验证码', templateCode: '100001' })
c.sendCode('1390000222' + workerData.i).then((r) => {
  parentPort.postMessage(r.code)
  // The last-but-one worker is terminated with a call in flight; the others end by themselves.
  if (workerData.inFlight) c.checkCode('1390000222' + workerData.i, '0000')
  else emu.close()
})
\`
;(async () => {
  const codes = []
  for (let i = 0; i < 4; i++) {
    const inFlight = i === 2
    const w = new Worker(source, { eval: true, workerData: { pkg: process.argv[1], i, inFlight } })
    codes.push(await new Promise((resolve, reject) => w.once('message', resolve).once('error', reject)))
    codes.push(inFlight ? await w.terminate() : await new Promise((resolve) => w.once('exit', resolve)))
  }
  console.log(JSON.stringify(codes))
})()
`

test('workers started one after another, each with an emulator and calls, end without crashing the process', () => {
  const run = spawnSync(process.execPath, ['-e', SCRIPT, pkg], { encoding: 'utf8', timeout: 60_000 })
  assert.equal(run.signal, null, `the process was killed by ${run.signal}\n${run.stderr}`)
  assert.equal(run.status, 0, run.stderr)
  assert.deepEqual(JSON.parse(run.stdout), ['OK', 0, 'OK', 0, 'OK', 1, 'OK', 0])
})
