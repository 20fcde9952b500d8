'use strict';
// The official Node SDK (@alicloud/dypnsapi20170525) against the smsauth emulator.
//
// Usage: node official_node.js ENDPOINT_URL   (e.g. http://127.0.0.1:41237)
//
// Prints one line per case, "ok - name" or "not ok - name: why", then "N passed, M failed";
// exits non-zero when a case failed. Codes are read from the emulator's outbox over HTTP.

const Dypnsapi = require('@alicloud/dypnsapi20170525');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const utils = require('@alicloud/openapi-core/dist/utils').default;

const BASE = process.argv[2].replace(/\/$/, '');
const HOST = BASE.split('://')[1];
const Client = Dypnsapi.default;

async function hook(method, path, body) {
  const resp = await fetch(BASE + path, { method, body });
  return resp.json();
}

async function lastCode(phone) {
  return (await hook('GET', `/_emulator/last-code?phone=${phone}`)).code;
}

function client({ id = 'testid', secret = 'testsecret', token, v1 = false } = {}) {
  const config = new $OpenApiUtil.Config({
    accessKeyId: id,
    accessKeySecret: secret,
    securityToken: token,
    endpoint: HOST,
    protocol: 'http',
  });
  if (v1) config.signatureAlgorithm = 'v2';
  return new Client(config);
}

function send(c, phone, extra = {}) {
  return c.sendSmsVerifyCode(new Dypnsapi.SendSmsVerifyCodeRequest({
    phoneNumber: phone,
    signName: '速通互联验证码',
    templateCode: '100001',
    templateParam: '{"code":"##code##","min":"5"}',
    ...extra,
  }));
}

function check(c, phone, code, extra = {}) {
  return c.checkSmsVerifyCode(new Dypnsapi.CheckSmsVerifyCodeRequest({ phoneNumber: phone, verifyCode: code, ...extra }));
}

function expect(cond, what) {
  if (!cond) throw new Error(what);
}

async function errorOf(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, the SDK returned normally');
}

async function flow(c, phone) {
  const sent = await send(c, phone);
  expect(sent.statusCode === 200, `send status ${sent.statusCode}`);
  const body = sent.body;
  expect(body.code === 'OK' && body.success === true, `send answer ${JSON.stringify(body)}`);
  expect(body.model.bizId.endsWith('^0'), `BizId ${body.model.bizId}`);
  expect(body.requestId.length === 36, `RequestId ${body.requestId}`);
  const code = await lastCode(phone);
  expect(/^\d{4}$/.test(code || ''), `code in the outbox: ${code}`);
  const wrong = code === '0000' ? '1111' : '0000';
  let r = await check(c, phone, wrong);
  expect(r.body.code === 'OK' && r.body.model.verifyResult === 'UNKNOWN', `wrong code: ${JSON.stringify(r.body)}`);
  r = await check(c, phone, code);
  expect(r.body.model.verifyResult === 'PASS', `right code: ${JSON.stringify(r.body)}`);
  r = await check(c, phone, code);
  expect(r.body.model.verifyResult === 'UNKNOWN', `a code passes once: ${JSON.stringify(r.body)}`);
}

const sts = (ttl = 3600) => hook('POST', `/_emulator/sts?ttl=${ttl}`);

async function replay(v1, phone) {
  // Freeze the SDK's nonce and timestamp so two calls send byte-identical requests.
  const { getNonce, getTimestamp } = utils;
  const nonce = getNonce();
  const time = getTimestamp();
  utils.getNonce = () => nonce;
  utils.getTimestamp = () => time;
  try {
    const c = client({ v1 });
    const first = await check(c, phone, '1234');
    expect(first.body.code === 'OK', `first: ${JSON.stringify(first.body)}`);
    const e = await errorOf(check(c, phone, '1234'));
    expect(e.code === 'SignatureNonceUsed' && e.statusCode === 400, `replay got ${e.code} ${e.statusCode}: ${e.message}`);
  } finally {
    utils.getNonce = getNonce;
    utils.getTimestamp = getTimestamp;
  }
}

const cases = {
  async v3_send_then_check() {
    await flow(client(), '13800138101');
  },
  async v1_send_then_check() {
    await flow(client({ v1: true }), '13800138102');
  },
  async v3_send_then_check_with_sts_token() {
    const s = await sts();
    await flow(client({ id: s.access_key_id, secret: s.access_key_secret, token: s.security_token }), '13800138103');
  },
  async v1_send_then_check_with_sts_token() {
    const s = await sts();
    await flow(client({ id: s.access_key_id, secret: s.access_key_secret, token: s.security_token, v1: true }), '13800138104');
  },
  async wrong_secret_is_signature_does_not_match() {
    for (const v1 of [false, true]) {
      const e = await errorOf(check(client({ secret: 'wrong', v1 }), '13800138105', '1234'));
      expect(e.code === 'SignatureDoesNotMatch' && e.statusCode === 400, `v1=${v1} got ${e.code} ${e.statusCode}`);
      expect(String(e.data && e.data.Message).includes('server string to sign is:'), `message ${JSON.stringify(e.data)}`);
    }
  },
  async v3_replay_is_signature_nonce_used() {
    await replay(false, '13800138106');
  },
  async v1_replay_is_signature_nonce_used() {
    await replay(true, '13800138107');
  },
  async unknown_key_is_invalid_access_key_id_not_found() {
    const e = await errorOf(check(client({ id: 'nobody' }), '13800138108', '1234'));
    expect(e.code === 'InvalidAccessKeyId.NotFound' && e.statusCode === 404, `${e.code} ${e.statusCode}`);
  },
  async frequency_is_a_200_with_success_false() {
    const c = client();
    await send(c, '13800138110');
    const r = await send(c, '13800138110'); // the official SDK returns business failures as successes
    expect(r.statusCode === 200 && r.body.code === 'biz.FREQUENCY' && r.body.success === false, JSON.stringify(r.body));
  },
  async return_verify_code_and_out_id() {
    const c = client();
    const r = await send(c, '13800138111', { returnVerifyCode: true, outId: 'order-1', codeLength: 6, codeType: 7 });
    const code = await lastCode('13800138111');
    expect(r.body.model.verifyCode === code && code.length === 6, JSON.stringify(r.body));
    expect(r.body.model.outId === 'order-1', JSON.stringify(r.body));
    const c2 = await check(c, '13800138111', code.toLowerCase(), { caseAuthPolicy: 1, outId: 'order-1' });
    expect(c2.body.model.verifyResult === 'PASS' && c2.body.model.outId === 'order-1', JSON.stringify(c2.body));
  },
  async injected_throttling_looks_real() {
    await hook('POST', '/_emulator/faults', JSON.stringify({ kind: 'throttle', retry_after_ms: 1000, times: 1 }));
    const e = await errorOf(check(client(), '13800138112', '1234'));
    expect(e.name === 'ThrottlingError' && e.code === 'Throttling.User' && e.statusCode === 400, `${e.name} ${e.code} ${e.statusCode}`);
    expect(e.retryAfter === 1000, `retryAfter ${e.retryAfter}`);
  },
  // Business refusals come back as HTTP 200 answers: the official SDK returns them, it throws nothing.
  async custom_signature_template_and_missing_variable_are_refused() {
    const c = client();
    const refused = (r, code) => expect(r.statusCode === 200 && r.body.code === code && r.body.success === false, JSON.stringify(r.body));
    refused(await send(c, '13800138113', { signName: '我的应用' }), 'isv.SMS_SIGNATURE_ILLEGAL');
    refused(await send(c, '13800138113', { templateCode: 'SMS_12345' }), 'isv.SMS_TEMPLATE_ILLEGAL');
    refused(await send(c, '13800138113', { templateParam: '{"code":"##code##"}' }), 'isv.TEMPLATE_MISSING_PARAMETERS');
    refused(await send(c, '13800138113', { codeLength: 9 }), 'isv.INVALID_PARAMETERS');
    expect((await lastCode('13800138113')) === null, 'nothing was sent');
    const ok = await send(c, '13800138113', { signName: '云渚科技验证平台', templateCode: '100003' });
    expect(ok.body.code === 'OK', JSON.stringify(ok.body));
  },
  async flow_control_is_business_limit_control() {
    const c = client();
    await send(c, '13800138114', { interval: 1 });
    await hook('POST', '/_emulator/clock/advance?seconds=1');
    const r = await send(c, '13800138114', { interval: 1 });
    expect(r.body.code === 'isv.BUSINESS_LIMIT_CONTROL' && r.body.message.startsWith('触发分钟级流控Permits:1'), JSON.stringify(r.body));
  },
  async an_86_prefixed_phone_number_is_accepted() {
    const c = client();
    expect((await send(c, '8613800138115')).body.code === 'OK', 'send');
    const r = await check(c, '13800138115', await lastCode('13800138115'));
    expect(r.body.model.verifyResult === 'PASS', JSON.stringify(r.body));
  },
};

(async () => {
  let passed = 0;
  let failed = 0;
  for (const [name, fn] of Object.entries(cases)) {
    try {
      await fn();
      passed += 1;
      console.log(`ok - node: ${name}`);
    } catch (e) {
      failed += 1;
      console.log(`not ok - node: ${name}: ${String(e && e.stack ? e.stack.split('\n')[0] : e)}`);
    }
  }
  console.log(`node: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
})();
