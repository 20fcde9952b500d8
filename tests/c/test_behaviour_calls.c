/*
 * The shared behaviour table's call rows (tests/behaviour/calls.json, turned into calls_cases.h by
 * tests/behaviour/calls_to_c.py) through the C API: sends and checks against a fresh emulator,
 * asserted the C way (status codes, smsauth_error_field(), smsauth_error_service_code(),
 * smsauth_error_delivery()).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* setenv */
#endif
#include <stdint.h>

#include "smsauth.h"
#include "harness.h"

typedef struct {
    const char *op, *phone, *code, *fault_json;
    unsigned long long seconds;
    int ok, passed; /* -1: the row does not say */
    unsigned long long count;
    const char *kind, *field, *service_code;
    unsigned delivery; /* an smsauth_delivery; 0: the row does not say */
} call_step;

typedef struct {
    const char *name, *emulator_json, *sign_name, *template_code;
    uint32_t max_attempts; /* 0: the default */
    const call_step *steps;
    size_t n_steps;
} call_case;

#include "calls_cases.h"

/* The client a row asks for: the emulator's keys, a preset signature and template unless the row
 * names others. */
static smsauth_client *client_for(const smsauth_emulator *emu, const call_case *c) {
    smsauth_config_builder *b = smsauth_config_builder_new();
    smsauth_client *client = NULL;
    CHECK(smsauth_config_builder_set_endpoint(b, smsauth_emulator_endpoint(emu), NULL) == SMSAUTH_STATUS_OK);
    CHECK(smsauth_config_builder_set_access_key(b, smsauth_emulator_access_key_id(emu),
                                                smsauth_emulator_access_key_secret(emu), NULL) == SMSAUTH_STATUS_OK);
    CHECK(smsauth_config_builder_set_sign_name(b, c->sign_name ? c->sign_name : "速通互联验证码", NULL) ==
          SMSAUTH_STATUS_OK);
    CHECK(smsauth_config_builder_set_template_code(b, c->template_code ? c->template_code : "100001", NULL) ==
          SMSAUTH_STATUS_OK);
    if (c->max_attempts) CHECK(smsauth_config_builder_set_max_attempts(b, c->max_attempts, NULL) == SMSAUTH_STATUS_OK);
    CHECK(smsauth_config_builder_build(b, &client, NULL) == SMSAUTH_STATUS_OK);
    smsauth_config_builder_free(b);
    return client;
}

/* A call's outcome against the row: success when it names no kind, else the error it names, key
 * by key (a delivery name is its smsauth_delivery, and may_have_been_received() must agree). */
static int expect_outcome(const char *name, const call_step *st, smsauth_status s, const smsauth_error *err) {
    int ok;
    if (!st->kind) {
        ok = CHECK(s == SMSAUTH_STATUS_OK);
    } else {
        ok = CHECK(streq(smsauth_status_str(s), st->kind)) &&
             (!st->field || CHECK(streq(smsauth_error_field(err), st->field))) &&
             (!st->service_code || CHECK(streq(smsauth_error_service_code(err), st->service_code))) &&
             (!st->delivery || (CHECK(smsauth_error_delivery(err) == st->delivery) &&
                                CHECK(smsauth_error_may_have_been_received(err) ==
                                      (st->delivery != SMSAUTH_DELIVERY_NOT_RECEIVED))));
    }
    if (!ok) {
        fprintf(stderr, "    %s: %s %s: got %s (field %s, service code %s): %s\n", name, st->op, st->phone,
                smsauth_status_str(s), err && smsauth_error_field(err) ? smsauth_error_field(err) : "none",
                err && smsauth_error_service_code(err) ? smsauth_error_service_code(err) : "none",
                err ? smsauth_error_message(err) : "(no error)");
    }
    return s == SMSAUTH_STATUS_OK;
}

static void run_step(const call_case *c, smsauth_emulator *emu, const smsauth_client *client, const call_step *st) {
    smsauth_error *err = NULL;
    if (strcmp(st->op, "send") == 0) {
        smsauth_send_result *r = NULL;
        smsauth_status s = smsauth_send_code(client, st->phone, &r, &err);
        expect_outcome(c->name, st, s, err);
        smsauth_send_result_free(r);
    } else if (strcmp(st->op, "check") == 0) {
        smsauth_check_result *r = NULL;
        char *last = NULL;
        smsauth_status s;
        if (strcmp(st->code, "last") == 0) CHECK(smsauth_emulator_last_code(emu, st->phone, &last, NULL) == SMSAUTH_STATUS_OK);
        s = smsauth_check_code(client, st->phone, last ? last : st->code, &r, &err);
        if (expect_outcome(c->name, st, s, err) && !CHECK(smsauth_check_result_passed(r) == (st->passed == 1))) {
            fprintf(stderr, "    %s: check %s: passed is not %d\n", c->name, st->phone, st->passed);
        }
        smsauth_string_free(last);
        smsauth_check_result_free(r);
    } else if (strcmp(st->op, "fault") == 0) {
        CHECK(smsauth_emulator_add_fault(emu, st->fault_json, NULL) == SMSAUTH_STATUS_OK);
    } else if (strcmp(st->op, "advance_clock") == 0) {
        CHECK(smsauth_emulator_advance_clock(emu, st->seconds, NULL) == SMSAUTH_STATUS_OK);
    } else if (strcmp(st->op, "outbox") == 0) {
        if (!CHECK(smsauth_emulator_message_count(emu, st->phone) == st->count))
            fprintf(stderr, "    %s: outbox of %s is not %llu\n", c->name, st->phone, st->count);
    } else if (strcmp(st->op, "request_count") == 0) {
        if (!CHECK(smsauth_emulator_request_count(emu) == st->count))
            fprintf(stderr, "    %s: %zu requests, expected %llu\n", c->name, smsauth_emulator_request_count(emu), st->count);
    } else {
        fprintf(stderr, "    unknown step %s: add it to every runner\n", st->op);
        CHECK(!"known step");
    }
    smsauth_error_free(err);
}

static void test_call_rows(void) {
    size_t i, j, n = sizeof call_cases / sizeof call_cases[0];
    CHECK(n >= 10);
    for (i = 0; i < n; i++) {
        const call_case *c = &call_cases[i];
        smsauth_emulator *emu = NULL;
        smsauth_client *client;
        if (!CHECK(smsauth_emulator_start_with_options(c->emulator_json, &emu, NULL) == SMSAUTH_STATUS_OK)) return;
        client = client_for(emu, c);
        for (j = 0; j < c->n_steps; j++) run_step(c, emu, client, &c->steps[j]);
        smsauth_client_free(client);
        smsauth_emulator_stop(emu);
    }
}

int main(void) {
    isolate_credentials_environment();
    RUN(test_call_rows);
    return finish_tests();
}
