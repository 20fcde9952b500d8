/* `smsauth-calls-c ENDPOINT N`: N sequential blocking smsauth_check_code calls (after 200
 * warm-up calls), for bench/profile to count CPU time and context switches per call and to record
 * flame graphs. Every answer is checked; anything else exits non-zero. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smsauth.h"

static void die(const char *what, smsauth_status status, smsauth_error *err) {
  fprintf(stderr, "smsauth-calls-c: %s: %s: %s\n", what, smsauth_status_str(status),
          err ? smsauth_error_message(err) : "");
  smsauth_error_free(err);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s ENDPOINT N\n", argv[0]);
    return 2;
  }
  long n = atol(argv[2]) + 200;
  smsauth_error *err = NULL;
  smsauth_status st;
  smsauth_config_builder *b = smsauth_config_builder_new();
  smsauth_client *client = NULL;
  if ((st = smsauth_config_builder_set_access_key(b, "testid", "testsecret", &err))) die("access key", st, err);
  if ((st = smsauth_config_builder_set_endpoint(b, argv[1], &err))) die("endpoint", st, err);
  if ((st = smsauth_config_builder_build(b, &client, &err))) die("build", st, err);
  smsauth_config_builder_free(b);
  for (long i = 0; i < n; i++) {
    smsauth_check_result *result = NULL;
    if ((st = smsauth_check_code(client, "13800138000", "1234", &result, &err))) die("check", st, err);
    if (strcmp(smsauth_check_result_verify_result(result), "UNKNOWN") != 0) {
      fprintf(stderr, "smsauth-calls-c: unexpected VerifyResult\n");
      return 1;
    }
    smsauth_check_result_free(result);
  }
  smsauth_client_free(client);
  return 0;
}
