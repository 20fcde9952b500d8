/*
 * Reliability tests of the C ABI (issue #8), run by ffi-c/tests/run.sh under valgrind:
 *
 *   - the fault matrix: every failure the emulator can inject (and refused connections, DNS
 *     failures, biz.FREQUENCY, clock skew), through the blocking AND the async API, for sends
 *     and checks: the status, whether the request may have been received, the time taken
 *     (within the deadline that applies + 10 %), the requests the emulator saw and the SMS sent
 *     (never two); no error message carries the AccessKey secret or the STS token;
 *   - a replayed request (same nonce) is refused and sends nothing;
 *   - 300 failing calls leave the process's file-descriptor and thread counts unchanged;
 *   - threads sharing one client (blocking and async calls mixed): 0 errors, no deadlock
 *     (a watchdog kills the run after 240 s).
 *
 * Usage: test_faults [--valgrind]
 *   Natively, each call must return within its deadline + 10 % (at least + SLACK_FLOOR_MS: see
 *   deadline_limit_s in harness.h). Under valgrind (which slows the library's own work after a
 *   deadline fires by an order of magnitude) pass --valgrind: the deadlines (and the faults that
 *   must outlast them) are 4 times longer and the allowance is that + 500 ms, the matrix runs
 *   through the async API only and the loops are shorter.
 * Prints one line per test and a closing "N passed, M failed".
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <smsauth.h>

#include "harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------------ */
/* Checks on smsauth calls (the rest of the harness: harness.h)                              */

#define EXPECT_OK(call)                                                                                               \
    do {                                                                                                              \
        smsauth_error *e_ = NULL;                                                                                     \
        if (!CHECK((call) == SMSAUTH_STATUS_OK)) fprintf(stderr, "    %s\n", smsauth_error_message(e_));             \
        smsauth_error_free(e_);                                                                                       \
    } while (0)

static void sleep_ms(long ms) {
    struct timespec t;
    t.tv_sec = ms / 1000;
    t.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&t, NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* Fixtures                                                                                   */

static smsauth_emulator *emu;
static char *sts_id, *sts_secret, *sts_token;
static int under_valgrind;

static void next_phone(char *buf, size_t len) {
    static int counter;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    int n;
    pthread_mutex_lock(&lock);
    n = ++counter;
    pthread_mutex_unlock(&lock);
    snprintf(buf, len, "137%08d", n);
}

/* Deadlines of the matrix's client; under valgrind SCALE times longer (and the faults that must
   outlast them too), since the library runs an order of magnitude slower there. */
#define CONNECT_MS 500
#define READ_MS 500
#define TOTAL_MS 1000
#define VALGRIND_SCALE 4
static int scale(void) { return under_valgrind ? VALGRIND_SCALE : 1; }

/* A client with STS credentials (so error messages can be searched for the secret and the
   token) and small deadlines, pointed at `endpoint`. */
static smsauth_client *fault_client(const char *endpoint) {
    smsauth_config_builder *b = smsauth_config_builder_new();
    smsauth_client *client = NULL;
    EXPECT_OK(smsauth_config_builder_set_endpoint(b, endpoint, &e_));
    EXPECT_OK(smsauth_config_builder_set_access_key(b, sts_id, sts_secret, &e_));
    EXPECT_OK(smsauth_config_builder_set_security_token(b, sts_token, &e_));
    EXPECT_OK(smsauth_config_builder_set_no_proxy(b, &e_));
    EXPECT_OK(smsauth_config_builder_set_sign_name(b, "速通互联验证码", &e_));
    EXPECT_OK(smsauth_config_builder_set_template_code(b, "100001", &e_));
    EXPECT_OK(smsauth_config_builder_set_connect_timeout_ms(b, (uint64_t)(CONNECT_MS * scale()), &e_));
    EXPECT_OK(smsauth_config_builder_set_read_timeout_ms(b, (uint64_t)(READ_MS * scale()), &e_));
    EXPECT_OK(smsauth_config_builder_set_timeout_ms(b, (uint64_t)(TOTAL_MS * scale()), &e_));
    EXPECT_OK(smsauth_config_builder_build(b, &client, &e_));
    smsauth_config_builder_free(b);
    return client;
}

/* A client on the emulator with the library's default deadlines. */
static smsauth_client *default_client(void) {
    smsauth_config_builder *b = smsauth_config_builder_new();
    smsauth_client *client = NULL;
    EXPECT_OK(smsauth_config_builder_set_endpoint(b, smsauth_emulator_endpoint(emu), &e_));
    EXPECT_OK(smsauth_config_builder_set_access_key(b, sts_id, sts_secret, &e_));
    EXPECT_OK(smsauth_config_builder_set_security_token(b, sts_token, &e_));
    EXPECT_OK(smsauth_config_builder_set_sign_name(b, "速通互联验证码", &e_));
    EXPECT_OK(smsauth_config_builder_set_template_code(b, "100001", &e_));
    EXPECT_OK(smsauth_config_builder_build(b, &client, &e_));
    smsauth_config_builder_free(b);
    return client;
}

/* A loopback port nothing listens on. */
static unsigned closed_port(void) {
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    unsigned port = 0;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    if (fd >= 0) close(fd);
    return port;
}

/* ------------------------------------------------------------------------------------------ */
/* One call, blocking or async, with what came out of it                                      */

struct outcome {
    smsauth_status status;
    int may_have_been_received;
    char service_code[64];
    char message[2048];
    char texts[4096]; /* every string of the error, for the secret search */
    double seconds;
};

static void copy(char *dst, size_t len, const char *src) { snprintf(dst, len, "%s", src ? src : ""); }

static void take_error(struct outcome *o, smsauth_status status, smsauth_error *err) {
    o->status = status;
    if (err != NULL) {
        o->may_have_been_received = smsauth_error_may_have_been_received(err);
        copy(o->service_code, sizeof o->service_code, smsauth_error_service_code(err));
        copy(o->message, sizeof o->message, smsauth_error_message(err));
        snprintf(o->texts, sizeof o->texts, "%s|%s|%s|%s|%s|%s", smsauth_error_message(err),
                 smsauth_error_service_message(err) ? smsauth_error_service_message(err) : "",
                 smsauth_error_recommend(err) ? smsauth_error_recommend(err) : "",
                 smsauth_error_field(err) ? smsauth_error_field(err) : "",
                 smsauth_error_request_id(err) ? smsauth_error_request_id(err) : "",
                 smsauth_error_guard_rule(err) ? smsauth_error_guard_rule(err) : "");
    }
    smsauth_error_free(err);
}

struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
    struct outcome *out;
    int passed;
};

static void waiter_init(struct waiter *w, struct outcome *out) {
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    w->out = out;
}

static void waiter_finish(struct waiter *w) {
    pthread_mutex_lock(&w->lock);
    w->done++;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* Wait for the callback (at most 60 s: valgrind is slow); then destroy the waiter. */
static int waiter_wait(struct waiter *w) {
    struct timespec deadline;
    int rc = 0, done;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 60;
    pthread_mutex_lock(&w->lock);
    while (w->done == 0 && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&w->cond, &w->lock, &deadline);
    done = w->done;
    pthread_mutex_unlock(&w->lock);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    return done == 1;
}

static void on_sent(void *user_data, smsauth_status status, smsauth_send_result *result, smsauth_error *err) {
    struct waiter *w = (struct waiter *)user_data;
    take_error(w->out, status, err);
    smsauth_send_result_free(result);
    waiter_finish(w);
}

static void on_checked(void *user_data, smsauth_status status, smsauth_check_result *result, smsauth_error *err) {
    struct waiter *w = (struct waiter *)user_data;
    take_error(w->out, status, err);
    w->passed = smsauth_check_result_passed(result);
    smsauth_check_result_free(result);
    waiter_finish(w);
}

enum action { SEND, CHECK_CODE };
enum mode { BLOCKING, ASYNC };

static struct outcome call(const smsauth_client *client, enum action action, enum mode mode, const char *phone) {
    struct outcome o;
    smsauth_error *err = NULL;
    double start = now_s();
    memset(&o, 0, sizeof o);
    if (mode == BLOCKING) {
        smsauth_status st;
        if (action == SEND) {
            smsauth_send_result *r = NULL;
            st = smsauth_send_code(client, phone, &r, &err);
            smsauth_send_result_free(r);
        } else {
            smsauth_check_result *r = NULL;
            st = smsauth_check_code(client, phone, "1234", &r, &err);
            smsauth_check_result_free(r);
        }
        take_error(&o, st, err);
    } else {
        struct waiter w;
        smsauth_status st;
        waiter_init(&w, &o);
        if (action == SEND) {
            smsauth_send_request *req = NULL;
            EXPECT_OK(smsauth_send_request_new(phone, &req, &e_));
            st = smsauth_send_code_async(client, req, on_sent, &w, &err);
            smsauth_send_request_free(req);
        } else {
            smsauth_check_request *req = NULL;
            EXPECT_OK(smsauth_check_request_new(phone, "1234", &req, &e_));
            st = smsauth_check_code_async(client, req, on_checked, &w, &err);
            smsauth_check_request_free(req);
        }
        if (CHECK(st == SMSAUTH_STATUS_OK)) {
            CHECK(waiter_wait(&w));
        } else {
            take_error(&o, st, err);
        }
    }
    o.seconds = now_s() - start;
    return o;
}

/* ------------------------------------------------------------------------------------------ */
/* The matrix                                                                                 */

enum setup { REFUSED, DNS, FAULT, FAULT_ONCE, FREQUENCY, CLOCK_SKEW };

struct expect {
    int applies;
    smsauth_status status;
    int may_have_been_received;
    size_t requests; /* API requests the emulator saw during the call */
    size_t sent;     /* SMS to the call's number once it returned (sends only) */
};

struct row {
    const char *name;
    enum setup setup;
    const char *fault; /* JSON without "action" (added per action); a %d is the scaled `ms` */
    int ms;            /* milliseconds for the %d, multiplied by scale() */
    int limit_ms;      /* the deadline this row runs into (multiplied by scale()) */
    struct expect send, check;
    const char *service_code; /* NULL: not checked ("" : none) */
    const char *message_part;
};

#define E(st, recv, req, sent) {1, SMSAUTH_STATUS_##st, recv, req, sent}
#define NONE {0, SMSAUTH_STATUS_OK, 0, 0, 0}

static const struct row rows[] = {
    {"connect refused", REFUSED, NULL, 0, TOTAL_MS, E(NETWORK, 0, 0, 0), E(NETWORK, 0, 0, 0), "", "could not connect"},
    {"DNS failure", DNS, NULL, 0, TOTAL_MS, E(NETWORK, 0, 0, 0), E(NETWORK, 0, 0, 0), "", "could not connect"},
    {"latency beyond the read timeout", FAULT, "\"kind\":\"latency\",\"ms\":%d", 1500, READ_MS, E(TIMEOUT, 1, 1, 0),
     E(TIMEOUT, 1, 1, 0), "", "timed out"},
    {"connection dropped before the response", FAULT, "\"kind\":\"drop\"", 0, TOTAL_MS, E(NETWORK, 1, 1, 1),
     E(NETWORK, 1, 1, 0), "", "may have been received"},
    {"connection dropped during the response", FAULT, "\"kind\":\"drop_mid_response\"", 0, TOTAL_MS,
     E(NETWORK, 1, 1, 1), E(NETWORK, 1, 1, 0), "", "may have been received"},
    {"HTTP 500 JSON", FAULT, "\"kind\":\"server_error\",\"status\":500", 0, TOTAL_MS, E(SERVICE, 1, 1, 0),
     E(SERVICE, 1, 3, 0), "InternalError", "InternalError"},
    {"HTTP 502 JSON", FAULT, "\"kind\":\"server_error\",\"status\":502", 0, TOTAL_MS, E(SERVICE, 1, 1, 0),
     E(SERVICE, 1, 3, 0), "ServiceUnavailable", "HTTP 502"},
    {"HTTP 503 JSON", FAULT, "\"kind\":\"server_error\",\"status\":503", 0, TOTAL_MS, E(SERVICE, 1, 1, 0),
     E(SERVICE, 1, 3, 0), "ServiceUnavailable", "HTTP 503"},
    {"HTTP 500 plain text", FAULT, "\"kind\":\"server_error\",\"status\":500,\"plain\":true", 0, TOTAL_MS,
     E(PROTOCOL, 1, 1, 0), E(PROTOCOL, 1, 3, 0), "", "Internal Server Error"},
    {"HTTP 502 plain text", FAULT, "\"kind\":\"server_error\",\"status\":502,\"plain\":true", 0, TOTAL_MS,
     E(PROTOCOL, 1, 1, 0), E(PROTOCOL, 1, 3, 0), "", "Bad Gateway"},
    {"HTTP 503 plain text", FAULT, "\"kind\":\"server_error\",\"status\":503,\"plain\":true", 0, TOTAL_MS,
     E(PROTOCOL, 1, 1, 0), E(PROTOCOL, 1, 3, 0), "", "Service Unavailable"},
    {"HTML error page", FAULT, "\"kind\":\"html\"", 0, TOTAL_MS, E(PROTOCOL, 1, 1, 0), E(PROTOCOL, 1, 3, 0), "",
     "not valid Dypnsapi JSON"},
    {"truncated JSON", FAULT, "\"kind\":\"truncated\"", 0, TOTAL_MS, E(PROTOCOL, 1, 1, 1), E(PROTOCOL, 1, 1, 0), "",
     "not valid Dypnsapi JSON"},
    {"50 MB body", FAULT, "\"kind\":\"oversized\",\"bytes\":52428800", 0, TOTAL_MS, E(PROTOCOL, 1, 1, 1),
     E(PROTOCOL, 1, 1, 0), "", "larger than 1 MiB"},
    {"slow-drip body", FAULT, "\"kind\":\"slow_drip\",\"chunk_bytes\":16,\"interval_ms\":%d", 200, TOTAL_MS,
     E(TIMEOUT, 1, 1, 1), E(TIMEOUT, 1, 1, 0), "", "deadline"},
    {"gateway throttling with retry-after", FAULT, "\"kind\":\"throttle\",\"retry_after_ms\":100", 0, TOTAL_MS,
     E(THROTTLED, 0, 3, 0), E(THROTTLED, 0, 3, 0), "Throttling.User", "Throttling.User"},
    {"gateway throttling once", FAULT_ONCE, "\"kind\":\"throttle\",\"retry_after_ms\":100", 0, TOTAL_MS,
     E(OK, 0, 2, 1), E(OK, 0, 2, 0), NULL, NULL},
    {"biz.FREQUENCY", FREQUENCY, NULL, 0, TOTAL_MS, E(THROTTLED, 1, 1, 1), NONE, "biz.FREQUENCY", "Interval"},
    {"clock skew", CLOCK_SKEW, NULL, 0, TOTAL_MS, E(AUTHENTICATION, 0, 1, 0), E(AUTHENTICATION, 0, 1, 0),
     "InvalidTimeStamp.Expired", "NTP"},
};

static int run_case(const struct row *row, enum action action, enum mode mode, const struct expect *want) {
    char endpoint[128], phone[32], fault[160], json[256];
    smsauth_client *client;
    struct outcome o;
    size_t before, requests, sent;
    int failures_before = current_failures, ok = 1;
    const char *what = action == SEND ? "SendSmsVerifyCode" : "CheckSmsVerifyCode";

    EXPECT_OK(smsauth_emulator_reset(emu, &e_));
    next_phone(phone, sizeof phone);
    if (row->setup == REFUSED) {
        snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u", closed_port());
    } else if (row->setup == DNS) {
        snprintf(endpoint, sizeof endpoint, "http://dypnsapi.smsauth-test.invalid");
    } else {
        snprintf(endpoint, sizeof endpoint, "%s", smsauth_emulator_endpoint(emu));
    }
    client = fault_client(endpoint);
    if (row->setup == FAULT || row->setup == FAULT_ONCE) {
        snprintf(fault, sizeof fault, row->fault, row->ms * scale());
        snprintf(json, sizeof json, "{%s,\"action\":\"%s\"%s}", fault, what,
                 row->setup == FAULT_ONCE ? ",\"times\":1" : "");
        EXPECT_OK(smsauth_emulator_add_fault(emu, json, &e_));
    } else if (row->setup == FREQUENCY) {
        EXPECT_OK(smsauth_send_code(client, phone, NULL, &e_));
    } else if (row->setup == CLOCK_SKEW) {
        EXPECT_OK(smsauth_emulator_advance_clock(emu, 16 * 60, &e_));
    }
    before = smsauth_emulator_request_count(emu);
    o = call(client, action, mode, phone);
    requests = smsauth_emulator_request_count(emu) - before;
    sent = smsauth_emulator_message_count(emu, phone);

    ok &= CHECK(o.status == want->status);
    if (want->status != SMSAUTH_STATUS_OK) {
        ok &= CHECK(o.may_have_been_received == want->may_have_been_received);
        if (row->service_code != NULL) ok &= CHECK(strcmp(o.service_code, row->service_code) == 0);
        if (row->message_part != NULL) ok &= CHECK(contains(o.message, row->message_part));
        ok &= CHECK(!contains(o.texts, sts_secret));
        ok &= CHECK(!contains(o.texts, sts_token));
    }
    ok &= CHECK(o.seconds <= deadline_limit_s(row->limit_ms * scale()) + (under_valgrind ? 0.5 : 0));
    ok &= CHECK(requests == want->requests);
    if (action == SEND) ok &= CHECK(sent == want->sent);
    ok &= CHECK(sent <= 1);
    if (!ok || current_failures != failures_before) {
        fprintf(stderr, "    ^ %s / %s / %s: status %s, %.3f s, %zu requests, %zu sent: %s\n", row->name, what,
                mode == BLOCKING ? "blocking" : "async", smsauth_status_str(o.status), o.seconds, requests, sent,
                o.message);
    }
    smsauth_client_free(client);
    return ok;
}

static void test_fault_matrix_blocking_and_async(void) {
    size_t i;
    int cases = 0, good = 0, m;
    {
        /* Start the library's runtime first: its start-up is not part of any call's deadline. */
        smsauth_client *warm = default_client();
        smsauth_check_result *r = NULL;
        EXPECT_OK(smsauth_check_code(warm, "13700000000", "1234", &r, &e_));
        smsauth_check_result_free(r);
        smsauth_client_free(warm);
    }
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        /* Under valgrind only the async API (the blocking one ran natively, and its error paths
           are also in test_smsauth.c's valgrind run). */
        for (m = under_valgrind ? ASYNC : BLOCKING; m <= ASYNC; m++) {
            if (rows[i].send.applies) {
                cases++;
                good += run_case(&rows[i], SEND, (enum mode)m, &rows[i].send);
            }
            if (rows[i].check.applies) {
                cases++;
                good += run_case(&rows[i], CHECK_CODE, (enum mode)m, &rows[i].check);
            }
        }
    }
    printf("#   fault matrix: %d of %d cases as expected\n", good, cases);
    CHECK(cases == (under_valgrind ? 1 : 2) * (2 * 19 - 1));
    EXPECT_OK(smsauth_emulator_reset(emu, &e_));
}

/* ------------------------------------------------------------------------------------------ */
/* Secrets in error texts                                                                     */

/* A wrong secret with the right STS token, V1 and V3, blocking and async: the gateway's
   SignatureDoesNotMatch echoes its V1 string-to-sign, token included; the library redacts it. */
static void test_error_texts_never_carry_the_secret_or_the_token(void) {
    unsigned version;
    int m;
    EXPECT_OK(smsauth_emulator_reset(emu, &e_));
    for (version = 1; version <= 3; version += 2) {
        for (m = BLOCKING; m <= ASYNC; m++) {
            smsauth_config_builder *b = smsauth_config_builder_new();
            smsauth_client *client = NULL;
            struct outcome o;
            EXPECT_OK(smsauth_config_builder_set_endpoint(b, smsauth_emulator_endpoint(emu), &e_));
            EXPECT_OK(smsauth_config_builder_set_access_key(b, sts_id, "not-the-secret-c", &e_));
            EXPECT_OK(smsauth_config_builder_set_security_token(b, sts_token, &e_));
            EXPECT_OK(smsauth_config_builder_set_signature_version(b, version, &e_));
            EXPECT_OK(smsauth_config_builder_build(b, &client, &e_));
            smsauth_config_builder_free(b);
            o = call(client, CHECK_CODE, (enum mode)m, "13700000001");
            CHECK(o.status == SMSAUTH_STATUS_AUTHENTICATION);
            CHECK(strcmp(o.service_code, "SignatureDoesNotMatch") == 0);
            CHECK(!contains(o.texts, sts_token) && !contains(o.texts, sts_secret));
            CHECK(!contains(o.texts, "not-the-secret-c"));
            if (version == 1) CHECK(contains(o.texts, "SecurityToken%3D***"));
            smsauth_client_free(client);
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* A replayed request                                                                         */

/* Send `signed_req` over a new connection; return the HTTP status (0 on failure) and copy the
   body into `body`. */
static int raw_send(const smsauth_signed_request *signed_req, char *body, size_t len) {
    struct sockaddr_in addr;
    char head[8192], reply[16384];
    size_t n, i, total = 0;
    ssize_t got;
    int fd, status = 0;
    const char *split;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(smsauth_emulator_port(emu));
    n = (size_t)snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nconnection: close\r\ncontent-length: 0\r\n",
                         smsauth_signed_request_method(signed_req), smsauth_signed_request_path_and_query(signed_req));
    for (i = 0; i < smsauth_signed_request_header_count(signed_req); i++) {
        n += (size_t)snprintf(head + n, sizeof head - n, "%s: %s\r\n", smsauth_signed_request_header_name(signed_req, i),
                              smsauth_signed_request_header_value(signed_req, i));
    }
    n += (size_t)snprintf(head + n, sizeof head - n, "\r\n");
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && write(fd, head, n) == (ssize_t)n) {
        while (total < sizeof reply - 1 && (got = read(fd, reply + total, sizeof reply - 1 - total)) > 0) {
            total += (size_t)got;
        }
        reply[total] = '\0';
        if (sscanf(reply, "HTTP/1.1 %d", &status) != 1) status = 0;
        split = strstr(reply, "\r\n\r\n");
        copy(body, len, split ? split + 4 : "");
    }
    close(fd);
    return status;
}

static void test_a_replayed_request_is_refused_and_sends_nothing(void) {
    smsauth_sign_request *req = NULL;
    smsauth_signed_request *signed_req = NULL;
    char host[64], phone[32], body[4096];
    size_t before;
    EXPECT_OK(smsauth_emulator_reset(emu, &e_));
    next_phone(phone, sizeof phone);
    snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)smsauth_emulator_port(emu));
    EXPECT_OK(smsauth_sign_request_new(host, "SendSmsVerifyCode", "2017-05-25", &req, &e_));
    EXPECT_OK(smsauth_sign_request_add_param(req, "PhoneNumber", phone, &e_));
    EXPECT_OK(smsauth_sign_request_add_param(req, "SignName", "速通互联验证码", &e_));
    EXPECT_OK(smsauth_sign_request_add_param(req, "TemplateCode", "100001", &e_));
    EXPECT_OK(smsauth_sign_request_add_param(req, "TemplateParam", "{\"code\":\"##code##\",\"min\":\"5\"}", &e_));
    EXPECT_OK(smsauth_sign(req, 3, sts_id, sts_secret, sts_token, 0, "c-replay-nonce-0001", &signed_req, &e_));
    before = smsauth_emulator_request_count(emu);
    CHECK(raw_send(signed_req, body, sizeof body) == 200);
    CHECK(contains(body, "\"Code\":\"OK\""));
    CHECK(raw_send(signed_req, body, sizeof body) == 400);
    CHECK(contains(body, "SignatureNonceUsed"));
    CHECK(smsauth_emulator_request_count(emu) == before + 2);
    CHECK(smsauth_emulator_message_count(emu, phone) == 1);
    smsauth_signed_request_free(signed_req);
    smsauth_sign_request_free(req);
}

/* ------------------------------------------------------------------------------------------ */
/* Resources                                                                                  */

static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (d == NULL) return -1;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') n++;
    }
    closedir(d);
    return n - (strcmp(dir, "/proc/self/fd") == 0); /* the directory's own descriptor */
}

static void failing_calls(const smsauth_client *ok_client, const smsauth_client *refused, int n) {
    static const char *phones[] = {"13600000001", "13600000002", "13600000003", "13600000004"};
    int i;
    for (i = 0; i < n; i++) {
        smsauth_error *err = NULL;
        smsauth_status st;
        if (i % 5 == 4) {
            st = smsauth_send_code(refused, "13600000009", NULL, &err);
        } else if (i % 2 == 0) {
            st = smsauth_send_code(ok_client, phones[i % 4], NULL, &err);
        } else {
            struct outcome o = call(ok_client, CHECK_CODE, ASYNC, phones[i % 4]);
            st = o.status;
        }
        CHECK(st != SMSAUTH_STATUS_OK);
        smsauth_error_free(err);
    }
}

static void test_failing_calls_leak_no_descriptors_or_threads(void) {
    smsauth_config_builder *b;
    smsauth_client *client, *refused;
    char endpoint[64];
    int fds_before, threads_before, fds_after = 0, threads_after = 0, tries;
    EXPECT_OK(smsauth_emulator_reset(emu, &e_));
    EXPECT_OK(smsauth_emulator_add_fault(emu, "{\"kind\":\"server_error\",\"status\":503,\"phone\":\"13600000001\"}", &e_));
    EXPECT_OK(smsauth_emulator_add_fault(emu, "{\"kind\":\"drop\",\"phone\":\"13600000002\"}", &e_));
    EXPECT_OK(smsauth_emulator_add_fault(emu, "{\"kind\":\"html\",\"phone\":\"13600000003\"}", &e_));
    EXPECT_OK(smsauth_emulator_add_fault(emu, "{\"kind\":\"throttle\",\"phone\":\"13600000004\"}", &e_));
    b = smsauth_config_builder_new();
    EXPECT_OK(smsauth_config_builder_set_endpoint(b, smsauth_emulator_endpoint(emu), &e_));
    EXPECT_OK(smsauth_config_builder_set_access_key(b, sts_id, sts_secret, &e_));
    EXPECT_OK(smsauth_config_builder_set_security_token(b, sts_token, &e_));
    EXPECT_OK(smsauth_config_builder_set_sign_name(b, "速通互联验证码", &e_));
    EXPECT_OK(smsauth_config_builder_set_template_code(b, "100001", &e_));
    EXPECT_OK(smsauth_config_builder_set_max_attempts(b, 1, &e_));
    client = NULL;
    EXPECT_OK(smsauth_config_builder_build(b, &client, &e_));
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u", closed_port());
    EXPECT_OK(smsauth_config_builder_set_endpoint(b, endpoint, &e_));
    refused = NULL;
    EXPECT_OK(smsauth_config_builder_build(b, &refused, &e_));
    smsauth_config_builder_free(b);

    failing_calls(client, refused, 20); /* warm-up: runtimes, pooled connection */
    sleep_ms(300);
    fds_before = count_entries("/proc/self/fd");
    threads_before = count_entries("/proc/self/task");
    failing_calls(client, refused, under_valgrind ? 60 : 300);
    for (tries = 0; tries < 40; tries++) { /* closing sockets is asynchronous */
        fds_after = count_entries("/proc/self/fd");
        threads_after = count_entries("/proc/self/task");
        if (fds_after <= fds_before && threads_after <= threads_before) break;
        sleep_ms(100);
    }
    printf("#   %d failing calls: fds %d -> %d, threads %d -> %d\n", under_valgrind ? 60 : 300, fds_before, fds_after,
           threads_before, threads_after);
    CHECK(fds_before > 0 && fds_after <= fds_before);
    CHECK(threads_before > 0 && threads_after <= threads_before);
    smsauth_client_free(client);
    smsauth_client_free(refused);
    EXPECT_OK(smsauth_emulator_reset(emu, &e_));
}

/* ------------------------------------------------------------------------------------------ */
/* Threads sharing one client                                                                 */

#define THREADS 8
#define IN_FLIGHT 4
static int rounds(void) { return under_valgrind ? 2 : 6; }

struct worker {
    const smsauth_client *client;
    int errors;
};

static void *worker_main(void *arg) {
    struct worker *wk = (struct worker *)arg;
    int round, i;
    for (round = 0; round < rounds(); round++) {
        char phone[32], *code = NULL;
        smsauth_check_result *r = NULL;
        smsauth_error *err = NULL;
        struct waiter w[IN_FLIGHT];
        struct outcome o[IN_FLIGHT];
        smsauth_check_request *req = NULL;
        next_phone(phone, sizeof phone);
        if (smsauth_send_code(wk->client, phone, NULL, &err) != SMSAUTH_STATUS_OK) {
            fprintf(stderr, "    send: %s\n", smsauth_error_message(err));
            smsauth_error_free(err);
            wk->errors++;
            continue;
        }
        /* Wrong codes, async, several in flight from this thread at once. */
        if (smsauth_check_request_new(phone, "0000", &req, NULL) != SMSAUTH_STATUS_OK) wk->errors++;
        for (i = 0; i < IN_FLIGHT; i++) {
            memset(&o[i], 0, sizeof o[i]);
            waiter_init(&w[i], &o[i]);
            if (smsauth_check_code_async(wk->client, req, on_checked, &w[i], NULL) != SMSAUTH_STATUS_OK) {
                wk->errors++;
                waiter_finish(&w[i]);
            }
        }
        smsauth_check_request_free(req);
        for (i = 0; i < IN_FLIGHT; i++) {
            if (!waiter_wait(&w[i]) || o[i].status != SMSAUTH_STATUS_OK) wk->errors++;
        }
        /* The right code, blocking. */
        if (smsauth_emulator_last_code(emu, phone, &code, NULL) != SMSAUTH_STATUS_OK || code == NULL ||
            smsauth_check_code(wk->client, phone, code, &r, NULL) != SMSAUTH_STATUS_OK ||
            (!smsauth_check_result_passed(r) && strcmp(code, "0000") != 0)) {
            wk->errors++;
        }
        smsauth_check_result_free(r);
        smsauth_string_free(code);
    }
    return NULL;
}

static void test_threads_share_one_client_without_errors_or_deadlock(void) {
    smsauth_client *client;
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    int i, errors = 0;
    size_t before;
    EXPECT_OK(smsauth_emulator_reset(emu, &e_));
    /* The library's default deadlines (the small ones of the matrix are not a load setting). */
    client = default_client();
    before = smsauth_emulator_request_count(emu);
    for (i = 0; i < THREADS; i++) {
        workers[i].client = client;
        workers[i].errors = 0;
        CHECK(pthread_create(&threads[i], NULL, worker_main, &workers[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        errors += workers[i].errors;
    }
    printf("#   %d threads x %d rounds: %zu requests, %d errors\n", THREADS, rounds(),
           smsauth_emulator_request_count(emu) - before, errors);
    CHECK(errors == 0);
    CHECK(smsauth_emulator_request_count(emu) - before == (size_t)THREADS * (size_t)rounds() * (2 + IN_FLIGHT));
    smsauth_client_free(client);
}

/* ------------------------------------------------------------------------------------------ */

int main(int argc, char **argv) {
    smsauth_error *err = NULL;
    under_valgrind = argc > 1 && strcmp(argv[1], "--valgrind") == 0;
    alarm(240); /* a deadlock ends the run (SIGALRM) instead of hanging CI */
    isolate_credentials_environment();
    if (smsauth_emulator_start(&emu, &err) != SMSAUTH_STATUS_OK ||
        smsauth_emulator_issue_sts(emu, 24 * 3600, &sts_id, &sts_secret, &sts_token, &err) != SMSAUTH_STATUS_OK) {
        fprintf(stderr, "cannot start the emulator: %s\n", smsauth_error_message(err));
        smsauth_error_free(err);
        smsauth_emulator_stop(emu);
        return 1;
    }
    printf("# libsmsauth %s, emulator at %s\n", smsauth_version(), smsauth_emulator_endpoint(emu));

    RUN(test_fault_matrix_blocking_and_async);
    RUN(test_error_texts_never_carry_the_secret_or_the_token);
    RUN(test_a_replayed_request_is_refused_and_sends_nothing);
    RUN(test_failing_calls_leak_no_descriptors_or_threads);
    RUN(test_threads_share_one_client_without_errors_or_deadlock);

    smsauth_string_free(sts_id);
    smsauth_string_free(sts_secret);
    smsauth_string_free(sts_token);
    smsauth_emulator_stop(emu);
    return finish_tests();
}
