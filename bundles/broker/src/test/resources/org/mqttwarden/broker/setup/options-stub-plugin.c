/*
 * Stands in for go-auth.so in GeneratedGoAuthConfTest (go-auth cannot be built here): a Mosquitto auth plugin
 * of interface version 4, the one go-auth's C glue (auth-plugin.c) implements, written for this test from
 * Mosquitto 2.0's plugin interface (mosquitto_plugin.h, not installed here: the declarations below are the
 * parts used). It writes every option Mosquitto hands it ("key value" per line; Mosquitto strips "auth_opt_")
 * to the file named by the option options_out, which the test adds, and then behaves as a backend that allows
 * exactly one account: user "device-1" with password "a-long-device-password-1", every topic.
 */
#include <stdio.h>
#include <string.h>

#define MOSQ_ERR_SUCCESS 0
#define MOSQ_ERR_AUTH 11

struct mosquitto_opt {
    char *key;
    char *value;
};
struct mosquitto;
struct mosquitto_acl_msg;

int mosquitto_auth_plugin_version(void) {
    return 4;
}

int mosquitto_auth_plugin_init(void **user_data, struct mosquitto_opt *opts, int opt_count) {
    const char *out = NULL;
    for (int i = 0; i < opt_count; i++) {
        if (strcmp(opts[i].key, "options_out") == 0) {
            out = opts[i].value;
        }
    }
    if (out == NULL) {
        return 1;
    }
    FILE *f = fopen(out, "w");
    if (f == NULL) {
        return 1;
    }
    for (int i = 0; i < opt_count; i++) {
        fprintf(f, "%s %s\n", opts[i].key, opts[i].value);
    }
    fclose(f);
    *user_data = NULL;
    return MOSQ_ERR_SUCCESS;
}

int mosquitto_auth_plugin_cleanup(void *user_data, struct mosquitto_opt *opts, int opt_count) {
    return MOSQ_ERR_SUCCESS;
}

int mosquitto_auth_security_init(void *user_data, struct mosquitto_opt *opts, int opt_count, int reload) {
    return MOSQ_ERR_SUCCESS;
}

int mosquitto_auth_security_cleanup(void *user_data, struct mosquitto_opt *opts, int opt_count, int reload) {
    return MOSQ_ERR_SUCCESS;
}

int mosquitto_auth_acl_check(void *user_data, int access, struct mosquitto *client,
        const struct mosquitto_acl_msg *msg) {
    return MOSQ_ERR_SUCCESS;
}

int mosquitto_auth_unpwd_check(void *user_data, struct mosquitto *client, const char *username,
        const char *password) {
    if (username != NULL && password != NULL && strcmp(username, "device-1") == 0
            && strcmp(password, "a-long-device-password-1") == 0) {
        return MOSQ_ERR_SUCCESS;
    }
    return MOSQ_ERR_AUTH;
}
