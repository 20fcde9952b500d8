/*
 * Send a verification code and check it — against the offline emulator, so no account, network
 * or SMS is needed. Build and run: make run   (needs libsmsauth installed: pkg-config smsauth)
 *
 * For the real service, drop the emulator lines, leave the endpoint at its default and set
 * ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET (read when the client is built);
 * the code then comes from the user instead of smsauth_emulator_last_code().
 */
#include <smsauth.h>

#include <stdio.h>

/* Print the error (if any), free it, and say whether the call succeeded. */
static int ok(smsauth_status status, smsauth_error **err, const char *what) {
    if (status == SMSAUTH_STATUS_OK) return 1;
    fprintf(stderr, "%s failed: %s (%s)", what, smsauth_status_str(status), smsauth_error_message(*err));
    if (smsauth_error_request_id(*err)) fprintf(stderr, " [request id %s]", smsauth_error_request_id(*err));
    fprintf(stderr, "\n");
    smsauth_error_free(*err);
    *err = NULL;
    return 0;
}

int main(void) {
    const char *phone = "13800138000";
    smsauth_emulator *emu = NULL;
    smsauth_config_builder *config = smsauth_config_builder_new();
    smsauth_client *client = NULL;
    smsauth_check_result *result = NULL;
    smsauth_error *err = NULL;
    char *code = NULL;
    int passed = 0;

    if (ok(smsauth_emulator_start(&emu, &err), &err, "starting the emulator") &&
        ok(smsauth_config_builder_set_endpoint(config, smsauth_emulator_endpoint(emu), &err), &err, "endpoint") &&
        ok(smsauth_config_builder_set_access_key(config, smsauth_emulator_access_key_id(emu),
                                                 smsauth_emulator_access_key_secret(emu), &err), &err, "access key") &&
        ok(smsauth_config_builder_set_sign_name(config, "速通互联验证码", &err), &err, "sign name") &&
        ok(smsauth_config_builder_set_template_code(config, "100001", &err), &err, "template code") &&
        ok(smsauth_config_builder_build(config, &client, &err), &err, "building the client") &&
        ok(smsauth_send_code(client, phone, NULL, &err), &err, "sending") &&
        ok(smsauth_emulator_last_code(emu, phone, &code, &err), &err, "reading the SMS") &&
        ok(smsauth_check_code(client, phone, code, &result, &err), &err, "checking")) {
        passed = smsauth_check_result_passed(result);
        printf("sent %s to %s; check: %s\n", code, phone, smsauth_check_result_verify_result(result));
    }

    smsauth_check_result_free(result);
    smsauth_string_free(code);
    smsauth_client_free(client);
    smsauth_config_builder_free(config);
    smsauth_emulator_stop(emu);
    return passed ? 0 : 1;
}
