'use strict';
// The Node half of tests/vectors/record/record.py (which documents what is recorded and why):
// sends each case read from stdin (a JSON list of vector `inputs` plus `v1`) through the official
// Node SDK, installed at its pinned version in tests/interop/node, to the recording server at
// ENDPOINT, one request per case, with the SDK's nonce and timestamp functions returning the
// case's. Prints the `sdk` block (package and runtime versions) as JSON.
//
// Usage: node record_node.js ENDPOINT < cases.json

const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');

const INSTALL = path.join(__dirname, '..', '..', 'interop', 'node');
const sdkRequire = createRequire(path.join(INSTALL, 'package.json'));
const Dypnsapi = sdkRequire('@alicloud/dypnsapi20170525');
const { $OpenApiUtil } = sdkRequire('@alicloud/openapi-core');
const utils = sdkRequire('@alicloud/openapi-core/dist/utils').default;

const PACKAGES = ['@alicloud/dypnsapi20170525', '@alicloud/openapi-core', '@alicloud/credentials', '@darabonba/typescript', 'httpx'];

/** A request model from wire-named parameters (`PhoneNumber`), via the model's own name map. */
function model(Model, params) {
  const field = Object.fromEntries(Object.entries(Model.names()).map(([js, wire]) => [wire, js]));
  const fields = {};
  for (const [wire, value] of Object.entries(params)) {
    if (!(wire in field)) throw new Error(`${Model.name} has no parameter ${wire}`);
    fields[field[wire]] = value;
  }
  return new Model(fields);
}

async function main() {
  const endpoint = process.argv[2];
  const cases = JSON.parse(readFileSync(0, 'utf8'));
  for (const c of cases) {
    utils.getNonce = () => c.nonce;
    utils.getTimestamp = () => c.timestamp;
    const config = new $OpenApiUtil.Config({
      accessKeyId: c.access_key_id,
      accessKeySecret: c.access_key_secret,
      securityToken: c.security_token ?? undefined,
      endpoint,
      protocol: 'http',
    });
    if (c.v1) config.signatureAlgorithm = 'v2';
    const client = new Dypnsapi.default(config);
    if (c.action === 'SendSmsVerifyCode') {
      await client.sendSmsVerifyCode(model(Dypnsapi.SendSmsVerifyCodeRequest, c.params));
    } else {
      await client.checkSmsVerifyCode(model(Dypnsapi.CheckSmsVerifyCodeRequest, c.params));
    }
  }
  const sdk = { node: process.version };
  for (const name of PACKAGES) {
    sdk[name] = JSON.parse(readFileSync(path.join(INSTALL, 'node_modules', name, 'package.json'), 'utf8')).version;
  }
  process.stdout.write(JSON.stringify(sdk));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
