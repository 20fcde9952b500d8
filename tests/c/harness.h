/*
 * The test harness the C tests share (tests/c/test_smsauth.c, tests/c/test_faults.c): thread-safe
 * CHECKs, a runner that prints one "ok"/"FAIL" line per test and the closing "N passed, M failed"
 * that ffi-c/tests/run.sh reads, and a credentials environment cleared of the caller's settings.
 * Header-only (static inline), valid C11 and C++17.
 */
#ifndef SMSAUTH_TESTS_HARNESS_H
#define SMSAUTH_TESTS_HARNESS_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;
static int current_failures;
static int tests_passed, tests_failed;

/* Record a failed check (from any thread) and return `ok`, so `if (!CHECK(...))` can add detail. */
static inline int check_impl(int ok, const char *what, const char *file, int line) {
    if (!ok) {
        pthread_mutex_lock(&check_lock);
        current_failures++;
        fprintf(stderr, "    check failed at %s:%d: %s\n", file, line, what);
        pthread_mutex_unlock(&check_lock);
    }
    return ok;
}

#define CHECK(cond) check_impl((cond) ? 1 : 0, #cond, __FILE__, __LINE__)

static inline int streq(const char *a, const char *b) { return a != NULL && b != NULL && strcmp(a, b) == 0; }

static inline int contains(const char *haystack, const char *needle) {
    return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

/* The least slack a deadline check allows (ms). The documented promise is "a call returns within
   its deadline + 10 %"; a busy 2-core machine running the suites in parallel can delay a thread
   by a few hundred milliseconds without the code being wrong. The same rule and numbers as
   core/tests/support/deadline.rs, py/tests/conftest.py and node/__test__/helpers.mjs. */
#define SLACK_FLOOR_MS 250.0

/* The most a call bounded by `deadline_ms` may take, in seconds: + 10 %, at least + SLACK_FLOOR_MS. */
static inline double deadline_limit_s(double deadline_ms) {
    double slack = deadline_ms * 0.1;
    return (deadline_ms + (slack > SLACK_FLOOR_MS ? slack : SLACK_FLOOR_MS)) / 1000.0;
}

/* Monotonic seconds, for elapsed times. */
static inline double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef void (*test_fn)(void);

static inline void run_test(const char *name, test_fn fn) {
    double start = now_s();
    current_failures = 0;
    fn();
    if (current_failures == 0) {
        tests_passed++;
        printf("ok   %s (%.2f s)\n", name, now_s() - start);
    } else {
        tests_failed++;
        printf("FAIL %s (%d failed checks)\n", name, current_failures);
    }
    fflush(stdout);
}

#define RUN(fn) run_test(#fn, fn)

/* The closing line ffi-c/tests/run.sh reads; the process exit status. */
static inline int finish_tests(void) {
    printf("%d passed, %d failed\n", tests_passed, tests_failed);
    return tests_failed == 0 ? 0 : 1;
}

/* The tests choose their credentials: nothing from the environment of whoever runs them (keys,
 * profiles, RAM roles, OIDC, the metadata service, a home directory's ~/.alibabacloud, proxies). */
static inline void isolate_credentials_environment(void) {
    static const char *unset[] = {"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                                  "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_ROLE_ARN",
                                  "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
                                  "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI",
                                  "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_ECS_METADATA",
                                  "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"};
    size_t i;
    for (i = 0; i < sizeof unset / sizeof unset[0]; i++) unsetenv(unset[i]);
    setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true", 1);
    setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true", 1);
    setenv("HOME", "/nonexistent/smsauth-test-home", 1);
}

#endif /* SMSAUTH_TESTS_HARNESS_H */
