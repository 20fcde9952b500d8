/*
 * The shared behaviour table (the JSON files of tests/behaviour, turned into behaviour_cases.h by
 * tests/behaviour/to_c.py) through the C API: the same rows the Rust, Python and Node suites
 * run, asserted the C way (setters, status codes, smsauth_error_field()).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* setenv */
#endif
#include <stdint.h>

#include "smsauth.h"
#include "harness.h"

typedef struct {
    const char *key;
    const char *str; /* NULL for an integer option */
    unsigned long long num;
} behaviour_option;

typedef struct {
    const char *name, *skip;
    const behaviour_option *options;
    size_t n_options;
    const char *kind, *field, *endpoint;
} behaviour_client_case;

typedef struct {
    const char *op;
    unsigned long long ttl_seconds, expect_count;
    const char *kind, *field;
} behaviour_step;

typedef struct {
    const char *name, *skip;
    const behaviour_step *steps;
    size_t n_steps;
} behaviour_emulator_case;

#include "behaviour_cases.h"

/* A guard rule given by its parts (`guard.phone.max`, `guard.wrong_code.lockout_seconds`, ...). */
typedef struct {
    uint32_t rule; /* smsauth_guard_rule, or 0 for the wrong-code rule */
    unsigned long long max, window_seconds, lockout_seconds;
    int given;
} guard_parts;

/* Record one `guard.<rule>.<part>` option; 0 if the key is not one. */
static int guard_part(guard_parts *g, const behaviour_option *o) {
    static const char *const rules[] = {"guard.wrong_code.", "guard.phone.", "guard.client.", "guard.prefix."};
    size_t r;
    for (r = 0; r < 4; r++) {
        size_t n = strlen(rules[r]);
        const char *part = o->key + n;
        if (strncmp(o->key, rules[r], n) != 0) continue;
        g->rule = (uint32_t)r, g->given = 1;
        if (strcmp(part, "max") == 0 || strcmp(part, "max_wrong") == 0) g->max = o->num;
        else if (strcmp(part, "window_seconds") == 0) g->window_seconds = o->num;
        else if (strcmp(part, "lockout_seconds") == 0) g->lockout_seconds = o->num;
        else CHECK(!"known guard part");
        return 1;
    }
    return 0;
}

/* The guard of `g` (the defaults with that rule replaced) on the builder. */
static smsauth_status set_guard(smsauth_config_builder *b, const guard_parts *g, smsauth_error **err) {
    smsauth_guard_config *cfg = smsauth_guard_config_new();
    smsauth_status s;
    if (g->rule == 0) {
        s = smsauth_guard_config_set_wrong_code_limit(cfg, (uint32_t)g->max, g->window_seconds, g->lockout_seconds, err);
    } else {
        s = smsauth_guard_config_clear_limits(cfg, g->rule, err);
        if (s == SMSAUTH_STATUS_OK) s = smsauth_guard_config_add_limit(cfg, g->rule, (uint32_t)g->max, g->window_seconds, err);
    }
    if (s == SMSAUTH_STATUS_OK) s = smsauth_config_builder_set_guard(b, cfg, err);
    smsauth_guard_config_free(cfg);
    return s;
}

/* The table's options through the builder's setters; the pair and the role go in together, as
 * their setters take them. Returns the first setter's failure, else the build's. */
static smsauth_status build_client(const behaviour_client_case *c, smsauth_client **client, smsauth_error **err) {
    smsauth_config_builder *b = smsauth_config_builder_new();
    const char *id = NULL, *secret = NULL, *role = NULL, *session = NULL;
    uint32_t duration = 0;
    guard_parts guard = {0, 0, 0, 0, 0};
    smsauth_status s = SMSAUTH_STATUS_OK;
    size_t i;
    for (i = 0; i < c->n_options && s == SMSAUTH_STATUS_OK; i++) {
        const behaviour_option *o = &c->options[i];
        if (guard_part(&guard, o)) continue;
        else if (strcmp(o->key, "access_key_id") == 0) id = o->str;
        else if (strcmp(o->key, "access_key_secret") == 0) secret = o->str;
        else if (strcmp(o->key, "role_arn") == 0) role = o->str;
        else if (strcmp(o->key, "role_session_name") == 0) session = o->str;
        else if (strcmp(o->key, "role_duration_seconds") == 0) duration = (uint32_t)o->num;
        else if (strcmp(o->key, "security_token") == 0) s = smsauth_config_builder_set_security_token(b, o->str, err);
        else if (strcmp(o->key, "profile") == 0) s = smsauth_config_builder_set_profile(b, o->str, err);
        else if (strcmp(o->key, "endpoint") == 0) s = smsauth_config_builder_set_endpoint(b, o->str, err);
        else if (strcmp(o->key, "scheme") == 0) s = smsauth_config_builder_set_scheme(b, o->str, err);
        else if (strcmp(o->key, "max_attempts") == 0) s = smsauth_config_builder_set_max_attempts(b, (uint32_t)o->num, err);
        else if (strcmp(o->key, "timeout_ms") == 0) s = smsauth_config_builder_set_timeout_ms(b, o->num, err);
        else if (strcmp(o->key, "connect_timeout_ms") == 0) s = smsauth_config_builder_set_connect_timeout_ms(b, o->num, err);
        else if (strcmp(o->key, "read_timeout_ms") == 0) s = smsauth_config_builder_set_read_timeout_ms(b, o->num, err);
        else if (strcmp(o->key, "initial_backoff_ms") == 0) s = smsauth_config_builder_set_initial_backoff_ms(b, o->num, err);
        else if (strcmp(o->key, "max_backoff_ms") == 0) s = smsauth_config_builder_set_max_backoff_ms(b, o->num, err);
        else if (strcmp(o->key, "max_retry_after_ms") == 0) s = smsauth_config_builder_set_max_retry_after_ms(b, o->num, err);
        else {
            fprintf(stderr, "    unknown option %s: add it to tests/c/test_behaviour.c\n", o->key);
            CHECK(!"known option");
        }
    }
    if (s == SMSAUTH_STATUS_OK && (id || secret)) s = smsauth_config_builder_set_access_key(b, id, secret, err);
    if (s == SMSAUTH_STATUS_OK && role) s = smsauth_config_builder_set_role_arn(b, role, session, duration, err);
    if (s == SMSAUTH_STATUS_OK && guard.given) s = set_guard(b, &guard, err);
    if (s == SMSAUTH_STATUS_OK) s = smsauth_config_builder_build(b, client, err);
    smsauth_config_builder_free(b);
    return s;
}

static void expect_error(const char *name, smsauth_status s, smsauth_error *err, const char *kind, const char *field) {
    if (!CHECK(streq(smsauth_status_str(s), kind)) || (field && !CHECK(streq(smsauth_error_field(err), field)))) {
        fprintf(stderr, "    %s: got %s (field %s): %s\n", name, smsauth_status_str(s),
                err && smsauth_error_field(err) ? smsauth_error_field(err) : "none",
                err ? smsauth_error_message(err) : "(no error)");
    }
}

static void test_client_rows(void) {
    size_t i, ran = 0;
    for (i = 0; i < sizeof client_cases / sizeof client_cases[0]; i++) {
        const behaviour_client_case *c = &client_cases[i];
        smsauth_client *client = NULL;
        smsauth_error *err = NULL;
        smsauth_status s;
        if (c->skip) continue;
        ran++;
        s = build_client(c, &client, &err);
        if (c->kind) {
            expect_error(c->name, s, err, c->kind, c->field);
            CHECK(client == NULL);
        } else if (!CHECK(s == SMSAUTH_STATUS_OK)) {
            fprintf(stderr, "    %s: %s\n", c->name, err ? smsauth_error_message(err) : "(no error)");
        }
        smsauth_error_free(err);
        smsauth_client_free(client);
    }
    CHECK(ran >= 10);
}

static void test_emulator_rows(void) {
    size_t i, j;
    for (i = 0; i < sizeof emulator_cases / sizeof emulator_cases[0]; i++) {
        const behaviour_emulator_case *c = &emulator_cases[i];
        smsauth_emulator *emu = NULL;
        smsauth_config_builder *b;
        smsauth_client *client = NULL;
        if (c->skip) continue;
        if (!CHECK(smsauth_emulator_start(&emu, NULL) == SMSAUTH_STATUS_OK)) return;
        b = smsauth_config_builder_new();
        CHECK(smsauth_config_builder_set_endpoint(b, smsauth_emulator_endpoint(emu), NULL) == SMSAUTH_STATUS_OK);
        CHECK(smsauth_config_builder_set_access_key(b, smsauth_emulator_access_key_id(emu),
                                                    smsauth_emulator_access_key_secret(emu), NULL) == SMSAUTH_STATUS_OK);
        CHECK(smsauth_config_builder_build(b, &client, NULL) == SMSAUTH_STATUS_OK);
        smsauth_config_builder_free(b);
        for (j = 0; j < c->n_steps; j++) {
            const behaviour_step *st = &c->steps[j];
            if (strcmp(st->op, "check") == 0) {
                smsauth_check_result *r = NULL;
                CHECK(smsauth_check_code(client, "13800138000", "1234", &r, NULL) == SMSAUTH_STATUS_OK);
                CHECK(r != NULL && !smsauth_check_result_passed(r));
                smsauth_check_result_free(r);
            } else if (strcmp(st->op, "reset") == 0) {
                CHECK(smsauth_emulator_reset(emu, NULL) == SMSAUTH_STATUS_OK);
            } else if (strcmp(st->op, "request_count") == 0) {
                if (!CHECK(smsauth_emulator_request_count(emu) == st->expect_count)) {
                    fprintf(stderr, "    %s: step %zu: %zu requests, expected %llu\n", c->name, j,
                            smsauth_emulator_request_count(emu), st->expect_count);
                }
            } else if (strcmp(st->op, "issue_sts") == 0) {
                char *id = NULL, *secret = NULL, *token = NULL;
                smsauth_error *err = NULL;
                smsauth_status s = smsauth_emulator_issue_sts(emu, st->ttl_seconds, &id, &secret, &token, &err);
                if (st->kind) expect_error(c->name, s, err, st->kind, st->field);
                else CHECK(s == SMSAUTH_STATUS_OK && id != NULL);
                smsauth_error_free(err);
                smsauth_string_free(id);
                smsauth_string_free(secret);
                smsauth_string_free(token);
            } else {
                fprintf(stderr, "    unknown step %s: add it to tests/c/test_behaviour.c\n", st->op);
                CHECK(!"known step");
            }
        }
        smsauth_client_free(client);
        smsauth_emulator_stop(emu);
    }
}

int main(void) {
    isolate_credentials_environment();
    RUN(test_client_rows);
    RUN(test_emulator_rows);
    return finish_tests();
}
