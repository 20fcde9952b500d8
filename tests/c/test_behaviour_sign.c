/*
 * The shared behaviour table's sign and verify rows (tests/behaviour/sign.json, turned into
 * sign_cases.h by tests/behaviour/sign_to_c.py) through the C API: smsauth_sign_request_new() +
 * smsauth_sign(), then smsauth_verifier_verify(); asserted the C way (status codes,
 * smsauth_error_field(), smsauth_error_service_code()).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* setenv */
#endif
#include <stdint.h>

#include "smsauth.h"
#include "harness.h"

typedef struct {
    const char *name, *value;
} sign_pair;

typedef struct {
    const char *name, *skip;
    /* sign inputs (NULL / 0: not given) */
    const char *host, *action, *version, *method, *access_key_id, *access_key_secret, *security_token;
    uint32_t signature_version;
    unsigned long long timestamp;
    const char *nonce;
    const sign_pair *params;
    size_t n_params;
    const sign_pair *headers;
    size_t n_headers;
    /* verify (when `verify`): at `now`, the query prefixed and one text replaced */
    int verify;
    unsigned long long now;
    const char *query_prefix, *replace_from, *replace_to;
    /* expect */
    const char *kind, *field, *code, *expect_version, *expect_method, *query, *signature, *action_expect;
    const char *param_name, *param_value;
    int fresh;
    const sign_pair *expect_headers;
    size_t n_expect_headers;
} sign_case;

#include "sign_cases.h"

static smsauth_status sign_row(const sign_case *c, smsauth_signed_request **signed_out, smsauth_error **err) {
    smsauth_sign_request *req = NULL;
    smsauth_status s = smsauth_sign_request_new(c->host, c->action, c->version, &req, err);
    size_t i;
    for (i = 0; i < c->n_params && s == SMSAUTH_STATUS_OK; i++)
        s = smsauth_sign_request_add_param(req, c->params[i].name, c->params[i].value, err);
    for (i = 0; i < c->n_headers && s == SMSAUTH_STATUS_OK; i++)
        s = smsauth_sign_request_add_header(req, c->headers[i].name, c->headers[i].value, err);
    if (s == SMSAUTH_STATUS_OK && c->method) s = smsauth_sign_request_set_method(req, c->method, err);
    if (s == SMSAUTH_STATUS_OK)
        s = smsauth_sign(req, c->signature_version, c->access_key_id, c->access_key_secret, c->security_token,
                         c->timestamp, c->nonce, signed_out, err);
    smsauth_sign_request_free(req);
    return s;
}

/* The query as received: prefixed and with one text replaced, as the row says. */
static void received_query(const sign_case *c, const char *query, char *out, size_t size) {
    const char *at = c->replace_from ? strstr(query, c->replace_from) : NULL;
    if (at) {
        snprintf(out, size, "%s%.*s%s%s", c->query_prefix ? c->query_prefix : "", (int)(at - query), query,
                 c->replace_to, at + strlen(c->replace_from));
    } else {
        snprintf(out, size, "%s%s", c->query_prefix ? c->query_prefix : "", query);
    }
}

static smsauth_status verify_row(const sign_case *c, const smsauth_signed_request *signed_request,
                                 smsauth_verified **verified, smsauth_error **err) {
    char query[4096];
    smsauth_verifier *v = smsauth_verifier_new();
    smsauth_http_request *req = NULL;
    smsauth_status s;
    size_t i, n = smsauth_signed_request_header_count(signed_request);
    received_query(c, smsauth_signed_request_query(signed_request), query, sizeof query);
    s = smsauth_http_request_new(smsauth_signed_request_method(signed_request),
                                 smsauth_signed_request_path(signed_request), query, &req, err);
    for (i = 0; i < n && s == SMSAUTH_STATUS_OK; i++)
        s = smsauth_http_request_add_header(req, smsauth_signed_request_header_name(signed_request, i),
                                            smsauth_signed_request_header_value(signed_request, i), err);
    if (s == SMSAUTH_STATUS_OK) s = smsauth_verifier_set_nonce_check(v, false, err);
    if (s == SMSAUTH_STATUS_OK) s = smsauth_verifier_add_key(v, "testid", "testsecret", err);
    if (s == SMSAUTH_STATUS_OK) s = smsauth_verifier_verify(v, req, c->now, verified, err);
    smsauth_http_request_free(req);
    smsauth_verifier_free(v);
    return s;
}

static void check_signed(const sign_case *c, const smsauth_signed_request *sr) {
    const char *query = smsauth_signed_request_query(sr);
    size_t i;
    if (c->expect_version && streq(c->expect_version, "v3")) CHECK(smsauth_signed_request_header(sr, "authorization") != NULL);
    if (c->expect_version && streq(c->expect_version, "v1")) CHECK(contains(query, "&Signature="));
    if (c->expect_method) CHECK(streq(smsauth_signed_request_method(sr), c->expect_method));
    for (i = 0; i < c->n_expect_headers; i++) {
        const char *got = smsauth_signed_request_header(sr, c->expect_headers[i].name);
        if (!CHECK(streq(got, c->expect_headers[i].value)))
            fprintf(stderr, "    %s: header %s is %s\n", c->name, c->expect_headers[i].name, got ? got : "absent");
    }
    if (c->query && !CHECK(streq(query, c->query))) fprintf(stderr, "    %s: query %s\n", c->name, query);
    if (c->signature) {
        const char *sig = smsauth_explanation_signature(smsauth_signed_request_explanation(sr));
        if (!CHECK(streq(sig, c->signature))) fprintf(stderr, "    %s: signature %s\n", c->name, sig);
    }
    if (c->fresh) {
        const char *nonce = smsauth_signed_request_header(sr, "x-acs-signature-nonce");
        uint64_t date = 0;
        long long skew;
        CHECK(nonce != NULL && strlen(nonce) == 32 && strspn(nonce, "0123456789abcdef") == 32);
        CHECK(smsauth_parse_timestamp(smsauth_signed_request_header(sr, "x-acs-date"), &date, NULL) == SMSAUTH_STATUS_OK);
        skew = (long long)date - (long long)time(NULL);
        CHECK(skew >= -60 && skew <= 60);
    }
}

static void test_sign_rows(void) {
    size_t i, ran = 0;
    for (i = 0; i < sizeof sign_cases / sizeof sign_cases[0]; i++) {
        const sign_case *c = &sign_cases[i];
        smsauth_signed_request *sr = NULL;
        smsauth_verified *verified = NULL;
        smsauth_error *err = NULL;
        smsauth_status s;
        if (c->skip) continue;
        ran++;
        s = sign_row(c, &sr, &err);
        if (s == SMSAUTH_STATUS_OK && c->verify) s = verify_row(c, sr, &verified, &err);
        if (c->kind) {
            int ok = CHECK(streq(smsauth_status_str(s), c->kind));
            if (c->field) ok &= CHECK(streq(smsauth_error_field(err), c->field));
            if (c->code) ok &= CHECK(streq(smsauth_error_service_code(err), c->code));
            else ok &= CHECK(err == NULL || smsauth_error_service_code(err) == NULL);
            if (!ok)
                fprintf(stderr, "    %s: got %s: %s\n", c->name, smsauth_status_str(s), err ? smsauth_error_message(err) : "");
        } else if (!CHECK(s == SMSAUTH_STATUS_OK)) {
            fprintf(stderr, "    %s: %s\n", c->name, err ? smsauth_error_message(err) : "(no error)");
        } else if (c->verify) {
            CHECK(streq(smsauth_verified_action(verified), c->action_expect));
            CHECK(streq(smsauth_verified_param(verified, c->param_name), c->param_value));
        } else {
            check_signed(c, sr);
        }
        smsauth_verified_free(verified);
        smsauth_signed_request_free(sr);
        smsauth_error_free(err);
    }
    CHECK(ran >= 15);
}

int main(void) {
    RUN(test_sign_rows);
    return finish_tests();
}
