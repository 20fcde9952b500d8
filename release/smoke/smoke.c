/* Release smoke test for the C tarball: send + check against a running emulator.
 *
 *   smoke ENDPOINT ACCESS_KEY_ID ACCESS_KEY_SECRET PHONE
 *
 * Sends a code (asking the emulator to return it), checks a wrong code (not passed), the right
 * code (passed), the same code again (not passed: a code passes once), and a second send to the
 * same number (THROTTLED, biz.FREQUENCY). Prints "c smoke: ok (smsauth VERSION)" and exits 0, or
 * names the failed step and exits 1. */
#include <smsauth.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *step, smsauth_status st, smsauth_error *err) {
    fprintf(stderr, "c smoke: FAILED at %s: %s: %s\n", step, smsauth_status_str(st),
            err ? smsauth_error_message(err) : "(no error object)");
    smsauth_error_free(err);
    return 1;
}

static int check(const smsauth_client *client, const char *phone, const char *code, bool want,
                 const char *step) {
    smsauth_check_result *r = NULL;
    smsauth_error *err = NULL;
    smsauth_status st = smsauth_check_code(client, phone, code, &r, &err);
    if (st != SMSAUTH_STATUS_OK) return fail(step, st, err);
    bool passed = smsauth_check_result_passed(r);
    smsauth_check_result_free(r);
    if (passed != want) {
        fprintf(stderr, "c smoke: FAILED at %s: passed=%d, expected %d\n", step, passed, want);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s ENDPOINT ACCESS_KEY_ID ACCESS_KEY_SECRET PHONE\n", argv[0]);
        return 2;
    }
    const char *phone = argv[4];
    smsauth_error *err = NULL;
    smsauth_client *client = NULL;
    smsauth_config_builder *cfg = smsauth_config_builder_new();
    smsauth_status st = smsauth_config_builder_set_access_key(cfg, argv[2], argv[3], &err);
    if (st == SMSAUTH_STATUS_OK) st = smsauth_config_builder_set_endpoint(cfg, argv[1], &err);
    if (st == SMSAUTH_STATUS_OK) st = smsauth_config_builder_set_sign_name(cfg, "速通互联验证码", &err);
    if (st == SMSAUTH_STATUS_OK) st = smsauth_config_builder_set_template_code(cfg, "100001", &err);
    if (st == SMSAUTH_STATUS_OK) st = smsauth_config_builder_build(cfg, &client, &err);
    smsauth_config_builder_free(cfg);
    if (st != SMSAUTH_STATUS_OK) return fail("build client", st, err);

    smsauth_send_request *req = NULL;
    smsauth_send_result *sent = NULL;
    st = smsauth_send_request_new(phone, &req, &err);
    if (st == SMSAUTH_STATUS_OK) st = smsauth_send_request_set_return_verify_code(req, true, &err);
    if (st == SMSAUTH_STATUS_OK) st = smsauth_send_code_with(client, req, &sent, &err);
    if (st != SMSAUTH_STATUS_OK) return fail("send", st, err);
    char code[32] = {0};
    const char *vc = smsauth_send_result_verify_code(sent);
    if (vc == NULL || strlen(vc) == 0 || strlen(vc) >= sizeof code) {
        fprintf(stderr, "c smoke: FAILED at send: no verify code returned\n");
        return 1;
    }
    strcpy(code, vc);
    smsauth_send_result_free(sent);

    char wrong[32];
    strcpy(wrong, code);
    wrong[0] = wrong[0] == '0' ? '1' : '0';
    if (check(client, phone, wrong, false, "check wrong code")) return 1;
    if (check(client, phone, code, true, "check right code")) return 1;
    if (check(client, phone, code, false, "check used code")) return 1;

    st = smsauth_send_code_with(client, req, &sent, &err);
    if (st != SMSAUTH_STATUS_THROTTLED) {
        fprintf(stderr, "c smoke: FAILED at second send: got %s, expected throttled\n",
                smsauth_status_str(st));
        return 1;
    }
    smsauth_error_free(err);
    smsauth_send_request_free(req);
    smsauth_client_free(client);
    printf("c smoke: ok (smsauth %s)\n", smsauth_version());
    return 0;
}
