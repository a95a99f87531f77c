/*
 * A stand-in for go-auth in MeasureFirstLoginTest: a Mosquitto 2.0 auth plugin (interface version 4, the one
 * go-auth implements) whose password check asks a TCP server of the test, one blocking round trip per check, at the
 * very point where go-auth asks Warden's /user. go-auth cannot be installed here; this is not it, only a plugin
 * called where it is called. No Mosquitto headers are needed (the package mosquitto-dev is not installed): the few
 * declarations are the documented v4 interface.
 *
 * Request: "<client id>\t<username>\t<password>\n"; answer: one byte, '1' allow, anything else deny.
 * Option: auth_opt_port <port of the test's server on 127.0.0.1>.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct mosquitto;
struct mosquitto_acl_msg;
struct mosquitto_opt {
    char *key;
    char *value;
};

const char *mosquitto_client_id(const struct mosquitto *client);

static int port;

int mosquitto_auth_plugin_version(void) { return 4; }

int mosquitto_auth_plugin_init(void **user_data, struct mosquitto_opt *opts, int count) {
    for (int i = 0; i < count; i++) {
        if (strcmp(opts[i].key, "port") == 0) {
            port = atoi(opts[i].value);
        }
    }
    return port > 0 ? 0 : 1;
}

int mosquitto_auth_plugin_cleanup(void *user_data, struct mosquitto_opt *opts, int count) { return 0; }

int mosquitto_auth_security_init(void *user_data, struct mosquitto_opt *opts, int count, bool reload) { return 0; }

int mosquitto_auth_security_cleanup(void *user_data, struct mosquitto_opt *opts, int count, bool reload) {
    return 0;
}

int mosquitto_auth_acl_check(void *user_data, int access, struct mosquitto *client,
        const struct mosquitto_acl_msg *msg) {
    return 0;
}

int mosquitto_auth_unpwd_check(void *user_data, struct mosquitto *client, const char *username,
        const char *password) {
    const char *id = mosquitto_client_id(client);
    char request[1024];
    int n = snprintf(request, sizeof request, "%s\t%s\t%s\n", id ? id : "", username ? username : "",
            password ? password : "");
    if (n <= 0 || n >= (int) sizeof request) {
        return 11;
    }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char answer = 0;
    if (s >= 0 && connect(s, (struct sockaddr *) &a, sizeof a) == 0 && write(s, request, n) == n) {
        if (read(s, &answer, 1) != 1) {
            answer = 0;
        }
    }
    if (s >= 0) {
        close(s);
    }
    return answer == '1' ? 0 : 11; /* MOSQ_ERR_SUCCESS or MOSQ_ERR_AUTH */
}

int mosquitto_auth_psk_key_get(void *user_data, struct mosquitto *client, const char *hint, const char *identity,
        char *key, int max_key_len) {
    return 1;
}
