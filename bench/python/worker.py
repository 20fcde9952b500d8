"""One `bench/run` worker for Python: `smsauth` or the official SDK in a fresh process.

    python worker.py import smsauth|official     -> {"import_ms": …}
    python worker.py run smsauth|official ENDPOINT SECONDS [CONCURRENCY]
        -> {"seq", "p50_ms", "p99_ms", "conc", "sign", "rss_mb"} (or "errors" for a phase)

`import` times, in-process, the imports a user needs for one call (nothing else is imported
first). `run` measures, in one process: sequential CheckSmsVerifyCode calls with each latency
recorded, CONCURRENCY calls in flight on asyncio, a sign-only loop, then peak RSS (VmHWM).
Each call is checked (`Code` OK, `VerifyResult` UNKNOWN); a wrong answer or any error in any
phase exits non-zero, which fails `bench/run` (nothing is turned into a missing value).
BENCH_WARMUP (default 200) sets the sequential warm-up calls.
"""

import os
import sys
import time

PHONE = "13800138000"
CODE = "1234"
WARMUP = int(os.environ.get("BENCH_WARMUP", "200"))

IMPORTS = {
    "smsauth": "import smsauth",
    "official": (
        "from alibabacloud_dypnsapi20170525.client import Client\n"
        "from alibabacloud_dypnsapi20170525 import models\n"
        "from alibabacloud_tea_openapi import models as open_api_models\n"
        "from alibabacloud_tea_util import models as util_models\n"
    ),
}


def import_ms(lib):
    start = time.perf_counter()
    exec(IMPORTS[lib], {})
    return (time.perf_counter() - start) * 1000


# --- the two libraries: (call, async call, sign) ------------------------------------------------
def ours(endpoint):
    import smsauth

    client = smsauth.Client("testid", "testsecret", endpoint=endpoint)
    aclient = smsauth.AsyncClient("testid", "testsecret", endpoint=endpoint)
    host = endpoint.split("://", 1)[1]

    def call():
        r = client.check_code(PHONE, CODE)
        if r.verify_result != "UNKNOWN":
            raise AssertionError(r)

    async def acall():
        r = await aclient.check_code(PHONE, CODE)
        if r.verify_result != "UNKNOWN":
            raise AssertionError(r)

    def sign():
        # What the client does before each call: V3, fresh timestamp and nonce.
        return smsauth.sign(
            "CheckSmsVerifyCode",
            {"PhoneNumber": PHONE, "VerifyCode": CODE},
            access_key_id="testid",
            access_key_secret="testsecret",
            host=host,
        )

    return call, acall, sign


def official(endpoint):
    from alibabacloud_dypnsapi20170525 import models
    from alibabacloud_dypnsapi20170525.client import Client
    from alibabacloud_tea_openapi import models as open_api_models
    from alibabacloud_tea_openapi.utils import Utils
    from alibabacloud_tea_util import models as util_models
    from darabonba.request import DaraRequest
    from darabonba.utils.bytes import Bytes as DaraBytes

    host = endpoint.split("://", 1)[1]
    config = open_api_models.Config(access_key_id="testid", access_key_secret="testsecret")
    config.endpoint = host
    config.protocol = "http"  # the SDK's own switch; it then talks plain HTTP to 127.0.0.1
    client = Client(config)
    runtime = util_models.RuntimeOptions()

    def check(resp):
        # The official SDK returns business failures as successes: look inside.
        if resp.status_code != 200 or resp.body.code != "OK" or resp.body.model.verify_result != "UNKNOWN":
            raise AssertionError(resp.body)

    def call():
        req = models.CheckSmsVerifyCodeRequest(phone_number=PHONE, verify_code=CODE)
        check(client.check_sms_verify_code_with_options(req, runtime))

    async def acall():
        req = models.CheckSmsVerifyCodeRequest(phone_number=PHONE, verify_code=CODE)
        check(await client.check_sms_verify_code_with_options_async(req, runtime))

    def sign():
        # The signing steps of the SDK's do_request for one V3 call (alibabacloud_tea_openapi
        # 0.4.x client.py): the x-acs-* headers with a fresh date and nonce, the payload hash,
        # then Utils.get_authorization. Its public helpers, called in the same order.
        req = DaraRequest()
        req.protocol = "http"
        req.method = "POST"
        req.pathname = "/"
        req.query = {"PhoneNumber": PHONE, "VerifyCode": CODE}
        req.headers = {
            "host": host,
            "x-acs-version": "2017-05-25",
            "x-acs-action": "CheckSmsVerifyCode",
            "user-agent": Utils.get_user_agent(None),
            "x-acs-date": Utils.get_timestamp(),
            "x-acs-signature-nonce": Utils.get_nonce(),
            "accept": "application/json",
        }
        payload = Utils.hash(DaraBytes.from_("", "utf-8"), "ACS3-HMAC-SHA256").hex()
        req.headers["x-acs-content-sha256"] = payload
        req.headers["Authorization"] = Utils.get_authorization(
            req, "ACS3-HMAC-SHA256", payload, "testid", "testsecret"
        )
        return req

    return call, acall, sign


# --- phases -------------------------------------------------------------------------------------
def sequential(call, seconds):
    lat = []
    perf = time.perf_counter
    start = perf()
    end = start + seconds
    while True:
        t = perf()
        if t >= end:
            break
        call()
        lat.append((perf() - t) * 1000)
    rate = len(lat) / (perf() - start)
    lat.sort()
    return rate, percentile(lat, 50), percentile(lat, 99)


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), -(-len(sorted_values) * p // 100)))
    return sorted_values[int(rank) - 1]


def concurrent(acall, seconds, concurrency):
    import asyncio

    async def main():
        count = 0

        async def loop(end):
            nonlocal count
            while time.perf_counter() < end:
                await acall()
                count += 1

        await asyncio.gather(*(acall() for _ in range(concurrency)))  # open the connections
        start = time.perf_counter()
        await asyncio.gather(*(loop(start + seconds) for _ in range(concurrency)))
        return count / (time.perf_counter() - start)

    return asyncio.run(main())


def signing(sign, seconds):
    n = 0
    perf = time.perf_counter
    start = perf()
    end = start + seconds
    while perf() < end:
        for _ in range(64):
            sign()
        n += 64
    return n / (perf() - start)


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run(lib, endpoint, seconds, concurrency):
    call, acall, sign = (ours if lib == "smsauth" else official)(endpoint)
    for _ in range(WARMUP):
        call()
    out = {}
    out["seq"], out["p50_ms"], out["p99_ms"] = sequential(call, seconds)
    out["conc"] = concurrent(acall, seconds, concurrency)
    out["sign"] = signing(sign, seconds)
    out["rss_mb"] = peak_rss_mb()
    return out


def main():
    mode, lib = sys.argv[1], sys.argv[2]
    if mode == "import":
        result = {"import_ms": import_ms(lib)}
    else:
        concurrency = int(sys.argv[5]) if len(sys.argv) > 5 else 64
        result = run(lib, sys.argv[3], float(sys.argv[4]), concurrency)
    import json

    print(json.dumps(result))


if __name__ == "__main__":
    main()
