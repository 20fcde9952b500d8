// TypeScript users: the declarations type-check a small typed program (ES module and CommonJS
// flavours, with `@ts-expect-error` lines that must stay errors), and the hand-written
// `index.d.ts` declares exactly what the package exports at run time.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { smsauth } from './helpers.mjs'

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))

test('tsc --noEmit accepts the typed example (and rejects its misuse lines)', () => {
  try {
    execFileSync(`${PACKAGE_DIR}node_modules/.bin/tsc`, ['-p', '__test__/types/tsconfig.json'], {
      cwd: PACKAGE_DIR,
      encoding: 'utf8',
    })
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`)
  }
})

test('index.d.ts declares every runtime export and every error code', () => {
  const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
  const reexported = [...dts.matchAll(/^export \{([^}]*)\} from '\.\/native'/gm)].flatMap((m) =>
    m[1]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  const declared = [...dts.matchAll(/^export declare (?:class|const|function) (\w+)/gm)].map((m) => m[1])
  assert.deepEqual([...reexported, ...declared].sort(), Object.keys(smsauth).sort())
  const start = dts.indexOf('export type ErrorCode =')
  const union = dts.slice(start, dts.indexOf('\n\n', start))
  assert.deepEqual([...union.matchAll(/'(ERR_SMSAUTH_\w+)'/g)].map((m) => m[1]), Object.values(smsauth.ErrorCode))
  const mts = readFileSync(new URL('../index.d.mts', import.meta.url), 'utf8')
  assert.match(mts, /export \* from '\.\/index\.js'/)
  assert.match(mts, /export default smsauth/)
})
