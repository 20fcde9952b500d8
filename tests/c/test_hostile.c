/*
 * The hostile corpus (tests/vectors/hostile.json, flattened by ffi-c/tests/extract_hostile.py)
 * through the C verifier: every request gets the same verdict as in Rust, Python, Node and the
 * emulator (the gateway code as service code, the error kind as status). Also the window's
 * documented maximum (UINT64_MAX must be refused, not wrap) and the raw-byte body setter.
 * Usage: test_hostile <flattened corpus>
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <smsauth.h>
#include <stdint.h>

#include "harness.h"

static const char *corpus_path;

/* Decode hex ("-" = empty) into a new NUL-terminated buffer; *len gets the byte count. */
static char *unhex(const char *hex, size_t *len) {
    size_t n = strcmp(hex, "-") == 0 ? 0 : strlen(hex) / 2;
    char *out = (char *)malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned int b = 0;
        sscanf(hex + 2 * i, "%2x", &b);
        out[i] = (char)b;
    }
    out[n] = '\0';
    if (len) *len = n;
    return out;
}

static smsauth_status status_for_kind(const char *kind) {
    if (strcmp(kind, "throttled") == 0) return SMSAUTH_STATUS_THROTTLED;
    if (strcmp(kind, "service") == 0) return SMSAUTH_STATUS_SERVICE;
    return SMSAUTH_STATUS_AUTHENTICATION;
}

#define MAX_KEYS 8
#define MAX_HOSTS 8

static void test_corpus(void) {
    FILE *f = fopen(corpus_path, "r");
    if (!CHECK(f != NULL)) return;
    static char line[1 << 20];
    char *keys[MAX_KEYS][2];
    char *hosts[MAX_HOSTS];
    int nkeys = 0, nhosts = 0, steps = 0;
    unsigned long long window = 900;
    smsauth_verifier *v = NULL;
    char scenario[512] = "";
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *save = NULL;
        char *tag = strtok_r(line, " ", &save);
        if (tag == NULL) continue;
        if (strcmp(tag, "K") == 0 && nkeys < MAX_KEYS) {
            keys[nkeys][0] = unhex(strtok_r(NULL, " ", &save), NULL);
            keys[nkeys][1] = unhex(strtok_r(NULL, " ", &save), NULL);
            nkeys++;
        } else if (strcmp(tag, "H") == 0 && nhosts < MAX_HOSTS) {
            hosts[nhosts++] = unhex(strtok_r(NULL, " ", &save), NULL);
        } else if (strcmp(tag, "W") == 0) {
            window = strtoull(strtok_r(NULL, " ", &save), NULL, 10);
        } else if (strcmp(tag, "S") == 0) {
            char *name = unhex(strtok_r(NULL, " ", &save), NULL);
            snprintf(scenario, sizeof scenario, "%s", name);
            free(name);
            size_t capacity = (size_t)strtoull(strtok_r(NULL, " ", &save), NULL, 10);
            size_t quota = (size_t)strtoull(strtok_r(NULL, " ", &save), NULL, 10);
            smsauth_verifier_free(v);
            v = smsauth_verifier_new();
            for (int i = 0; i < nkeys; i++) CHECK(smsauth_verifier_add_key(v, keys[i][0], keys[i][1], NULL) == SMSAUTH_STATUS_OK);
            for (int i = 0; i < nhosts; i++) CHECK(smsauth_verifier_add_expected_host(v, hosts[i], NULL) == SMSAUTH_STATUS_OK);
            CHECK(smsauth_verifier_set_window(v, window, NULL) == SMSAUTH_STATUS_OK);
            if (capacity || quota) {
                CHECK(smsauth_verifier_set_nonce_capacity(v, capacity ? capacity : 1000000, quota, NULL) == SMSAUTH_STATUS_OK);
            }
        } else if (strcmp(tag, "R") == 0 && v != NULL) {
            unsigned long long now = strtoull(strtok_r(NULL, " ", &save), NULL, 10);
            char *expect = strtok_r(NULL, " ", &save);
            char *kind = strtok_r(NULL, " ", &save);
            char *method = unhex(strtok_r(NULL, " ", &save), NULL);
            char *path = unhex(strtok_r(NULL, " ", &save), NULL);
            char *query = unhex(strtok_r(NULL, " ", &save), NULL);
            size_t body_len = 0;
            char *body = unhex(strtok_r(NULL, " ", &save), &body_len);
            int nheaders = atoi(strtok_r(NULL, " ", &save));
            smsauth_http_request *http = NULL;
            CHECK(smsauth_http_request_new(method, path, query, &http, NULL) == SMSAUTH_STATUS_OK);
            for (int i = 0; i < nheaders; i++) {
                char *name = unhex(strtok_r(NULL, " ", &save), NULL);
                char *value = unhex(strtok_r(NULL, " ", &save), NULL);
                CHECK(smsauth_http_request_add_header(http, name, value, NULL) == SMSAUTH_STATUS_OK);
                free(name);
                free(value);
            }
            CHECK(smsauth_http_request_set_body_bytes(http, (const uint8_t *)body, body_len, NULL) == SMSAUTH_STATUS_OK);
            smsauth_verified *ok = NULL;
            smsauth_error *err = NULL;
            smsauth_status st = smsauth_verifier_verify(v, http, now, &ok, &err);
            if (strcmp(expect, "OK") == 0) {
                if (!CHECK(st == SMSAUTH_STATUS_OK)) {
                    fprintf(stderr, "    %s / step %d: %s\n", scenario, steps, smsauth_error_message(err));
                }
            } else {
                int same = st == status_for_kind(kind) && streq(smsauth_error_service_code(err), expect);
                if (!CHECK(same)) {
                    fprintf(stderr, "    %s / step %d: expected %s (%s), got status %d %s\n", scenario, steps, expect,
                            kind, (int)st, err ? smsauth_error_service_code(err) : "(accepted)");
                }
            }
            smsauth_verified_free(ok);
            smsauth_error_free(err);
            smsauth_http_request_free(http);
            free(method);
            free(path);
            free(query);
            free(body);
            steps++;
        }
    }
    fclose(f);
    smsauth_verifier_free(v);
    for (int i = 0; i < nkeys; i++) {
        free(keys[i][0]);
        free(keys[i][1]);
    }
    for (int i = 0; i < nhosts; i++) free(hosts[i]);
    CHECK(steps >= 35);
}

static void test_window_maximum(void) {
    smsauth_verifier *v = smsauth_verifier_new();
    smsauth_error *err = NULL;
    CHECK(smsauth_verifier_set_window(v, UINT64_MAX, &err) == SMSAUTH_STATUS_INVALID_INPUT);
    CHECK(streq(smsauth_error_field(err), "window"));
    smsauth_error_free(err);
    CHECK(smsauth_verifier_set_window(v, 86400, NULL) == SMSAUTH_STATUS_OK);
    CHECK(smsauth_verifier_set_window(v, 86401, NULL) == SMSAUTH_STATUS_INVALID_INPUT);
    CHECK(smsauth_verifier_set_nonce_capacity(v, 0, 0, NULL) == SMSAUTH_STATUS_INVALID_INPUT);
    /* The library is built without the `guard-redis` feature: a clear error naming the field. */
    smsauth_error *rerr = NULL;
    CHECK(smsauth_verifier_set_nonce_redis_url(v, "redis://127.0.0.1:6379/", false, &rerr) == SMSAUTH_STATUS_INVALID_INPUT);
    CHECK(streq(smsauth_error_field(rerr), "nonce_redis_url"));
    smsauth_error_free(rerr);
    smsauth_http_request *http = NULL;
    CHECK(smsauth_http_request_new("POST", "/", "?a=1", &http, NULL) == SMSAUTH_STATUS_OK);
    CHECK(smsauth_http_request_set_body_bytes(http, NULL, 1, NULL) == SMSAUTH_STATUS_NULL_ARGUMENT);
    CHECK(smsauth_http_request_set_body_bytes(http, NULL, 0, NULL) == SMSAUTH_STATUS_OK);
    smsauth_http_request_free(http);
    smsauth_verifier_free(v);
}

static void test_signer_refuses_what_http_would_change(void) {
    const char *hosts[] = {"evil.example\r\nx: y", "a b"};
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        smsauth_sign_request *req = NULL;
        CHECK(smsauth_sign_request_new(hosts[i], "SendSmsVerifyCode", NULL, &req, NULL) == SMSAUTH_STATUS_OK);
        smsauth_signed_request *out = NULL;
        smsauth_error *err = NULL;
        CHECK(smsauth_sign(req, SMSAUTH_SIGNATURE_VERSION_V3, "testid", "testsecret", NULL, 1735787045, "n1", &out, &err) ==
              SMSAUTH_STATUS_INVALID_INPUT);
        CHECK(out == NULL);
        CHECK(streq(smsauth_error_field(err), "host"));
        smsauth_error_free(err);
        smsauth_sign_request_free(req);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s <flattened hostile corpus>\n", argv[0]);
        return 2;
    }
    corpus_path = argv[1];
    run_test("hostile corpus: same verdicts as every language", test_corpus);
    run_test("window maximum and raw body bytes", test_window_maximum);
    run_test("the signer refuses what HTTP would change", test_signer_refuses_what_http_would_change);
    return finish_tests();
}
