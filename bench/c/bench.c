/* One bench/run worker: libsmsauth from C against the upstream given on the command line,
 * printing one JSON line. Any error or unexpected answer exits non-zero (fails bench/run).
 *
 *   smsauth-bench-c ENDPOINT SECONDS [CONCURRENCY] [WARMUP]
 *
 * Phases, in one process: warm-up, sequential smsauth_check_code() calls (each latency
 * recorded), CONCURRENCY smsauth_check_code_async() calls in flight (each callback starts the
 * next one), a sign-only loop (smsauth_sign, V3, fresh timestamp and nonce), then peak RSS. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smsauth.h"

#define PHONE "13800138000"
#define CODE "1234"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, smsauth_status status, smsauth_error *err) {
  fprintf(stderr, "smsauth-bench-c: %s: %s: %s\n", what, smsauth_status_str(status),
          err ? smsauth_error_message(err) : "");
  smsauth_error_free(err);
  exit(1);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double percentile(const double *sorted, size_t n, double p) {
  if (n == 0) return 0.0;
  size_t rank = (size_t)((p / 100.0) * (double)n + 0.999999);
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return sorted[rank - 1];
}

static double peak_rss_mb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  double kib = 0;
  if (!f) return 0;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "VmHWM:", 6) == 0) kib = atof(line + 6);
  fclose(f);
  return kib / 1024.0;
}

static void check_ok(smsauth_status status, smsauth_check_result *result, smsauth_error *err) {
  if (status != SMSAUTH_STATUS_OK) die("check", status, err);
  if (strcmp(smsauth_check_result_verify_result(result), "UNKNOWN") != 0) {
    fprintf(stderr, "smsauth-bench-c: unexpected VerifyResult %s\n", smsauth_check_result_verify_result(result));
    exit(1);
  }
  smsauth_check_result_free(result);
}

/* --- concurrency: each completed call starts the next until the stop flag is set -------------- */
struct loop_state {
  const smsauth_client *client;
  const smsauth_check_request *request;
  atomic_bool stop;
  atomic_ullong count;
  pthread_mutex_t lock;
  pthread_cond_t done;
  int in_flight;
};

static void on_check(void *user_data, smsauth_status status, smsauth_check_result *result, smsauth_error *err) {
  struct loop_state *s = user_data;
  check_ok(status, result, err);
  atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
  if (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
    smsauth_error *e = NULL;
    smsauth_status st = smsauth_check_code_async(s->client, s->request, on_check, s, &e);
    if (st == SMSAUTH_STATUS_OK) return;
    die("check_code_async", st, e);
  }
  pthread_mutex_lock(&s->lock);
  if (--s->in_flight == 0) pthread_cond_signal(&s->done);
  pthread_mutex_unlock(&s->lock);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s ENDPOINT SECONDS [CONCURRENCY] [WARMUP]\n", argv[0]);
    return 2;
  }
  const char *endpoint = argv[1];
  double seconds = atof(argv[2]);
  int concurrency = argc > 3 ? atoi(argv[3]) : 64;
  int warmup = argc > 4 ? atoi(argv[4]) : 200;
  smsauth_error *err = NULL;
  smsauth_status st;

  smsauth_config_builder *b = smsauth_config_builder_new();
  smsauth_client *client = NULL;
  if ((st = smsauth_config_builder_set_access_key(b, "testid", "testsecret", &err))) die("access key", st, err);
  if ((st = smsauth_config_builder_set_endpoint(b, endpoint, &err))) die("endpoint", st, err);
  if ((st = smsauth_config_builder_build(b, &client, &err))) die("build", st, err);
  smsauth_config_builder_free(b);

  smsauth_check_result *result = NULL;
  for (int i = 0; i < warmup; i++) {
    st = smsauth_check_code(client, PHONE, CODE, &result, &err);
    check_ok(st, result, err);
  }

  /* sequential */
  size_t cap = 1 << 16, n = 0;
  double *lat = malloc(cap * sizeof *lat);
  if (!lat) return 1;
  double start = now_s(), end = start + seconds;
  for (;;) {
    double t = now_s();
    if (t >= end) break;
    st = smsauth_check_code(client, PHONE, CODE, &result, &err);
    check_ok(st, result, err);
    if (n == cap) {
      cap *= 2;
      double *grown = realloc(lat, cap * sizeof *lat);
      if (!grown) return 1;
      lat = grown;
    }
    lat[n++] = (now_s() - t) * 1000.0;
  }
  double seq = (double)n / (now_s() - start);
  qsort(lat, n, sizeof *lat, cmp_double);

  /* concurrency */
  smsauth_check_request *request = NULL;
  if ((st = smsauth_check_request_new(PHONE, CODE, &request, &err))) die("check request", st, err);
  struct loop_state s = {.client = client, .request = request, .in_flight = concurrency};
  atomic_init(&s.stop, false);
  atomic_init(&s.count, 0);
  pthread_mutex_init(&s.lock, NULL);
  pthread_cond_init(&s.done, NULL);
  /* The same warm-up rule as every language: CONCURRENCY calls at once, untimed, so that the
   * connections are open before the window starts. */
  struct loop_state warm = {.client = client, .request = request, .in_flight = concurrency};
  atomic_init(&warm.stop, true);
  atomic_init(&warm.count, 0);
  pthread_mutex_init(&warm.lock, NULL);
  pthread_cond_init(&warm.done, NULL);
  for (int i = 0; i < concurrency; i++)
    if ((st = smsauth_check_code_async(client, request, on_check, &warm, &err))) die("check_code_async", st, err);
  pthread_mutex_lock(&warm.lock);
  while (warm.in_flight > 0) pthread_cond_wait(&warm.done, &warm.lock);
  pthread_mutex_unlock(&warm.lock);
  start = now_s();
  for (int i = 0; i < concurrency; i++)
    if ((st = smsauth_check_code_async(client, request, on_check, &s, &err))) die("check_code_async", st, err);
  struct timespec pause = {.tv_sec = (time_t)seconds, .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
  nanosleep(&pause, NULL);
  atomic_store(&s.stop, true);
  unsigned long long calls = atomic_load(&s.count);
  double conc = (double)calls / (now_s() - start);
  pthread_mutex_lock(&s.lock);
  while (s.in_flight > 0) pthread_cond_wait(&s.done, &s.lock);
  pthread_mutex_unlock(&s.lock);
  smsauth_check_request_free(request);

  /* sign only: the request built every iteration, as in every other language's loop */
  const char *host = strstr(endpoint, "://") ? strstr(endpoint, "://") + 3 : endpoint;
  unsigned long long signs = 0;
  start = now_s();
  end = start + seconds;
  while (now_s() < end) {
    for (int i = 0; i < 64; i++) {
      smsauth_sign_request *sreq = NULL;
      if ((st = smsauth_sign_request_new(host, "CheckSmsVerifyCode", "2017-05-25", &sreq, &err)))
        die("sign request", st, err);
      if ((st = smsauth_sign_request_add_param(sreq, "PhoneNumber", PHONE, &err))) die("param", st, err);
      if ((st = smsauth_sign_request_add_param(sreq, "VerifyCode", CODE, &err))) die("param", st, err);
      smsauth_signed_request *signed_req = NULL;
      st = smsauth_sign(sreq, SMSAUTH_SIGNATURE_VERSION_V3, "testid", "testsecret", NULL, 0, NULL, &signed_req, &err);
      if (st) die("sign", st, err);
      smsauth_signed_request_free(signed_req);
      smsauth_sign_request_free(sreq);
    }
    signs += 64;
  }
  double sign_rate = (double)signs / (now_s() - start);

  printf("{\"seq\": %.3f, \"p50_ms\": %.4f, \"p99_ms\": %.4f, \"conc\": %.3f, \"sign\": %.3f, \"rss_mb\": %.2f}\n", seq,
         percentile(lat, n, 50), percentile(lat, n, 99), conc, sign_rate, peak_rss_mb());
  free(lat);
  smsauth_client_free(client);
  return 0;
}
