package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What go-auth expects on the wire in each {@code auth_opt_http_response_mode}, written out from
 * its http backend rather than taken from the code under test.
 */
enum AnswerMode {
    STATUS("status", 200, "", 403, ""),
    TEXT("text", 200, "ok", 403, "denied"),
    JSON("json", 200, "{\"ok\":true,\"error\":\"\"}", 403, "{\"ok\":false,\"error\":\"denied\"}");

    final String config;
    final int allowStatus;
    final String allowBody;
    final int denyStatus;
    final String denyBody;

    AnswerMode(String config, int allowStatus, String allowBody, int denyStatus, String denyBody) {
        this.config = config;
        this.allowStatus = allowStatus;
        this.allowBody = allowBody;
        this.denyStatus = denyStatus;
        this.denyBody = denyBody;
    }

    void assertAllowed(int status, String body, String what) {
        assertThat(status).as("status of %s", what).isEqualTo(allowStatus);
        assertThat(body).as("body of %s", what).isEqualTo(allowBody);
    }

    void assertAllowed(RawHttp.Response response, String what) {
        assertAllowed(response.status(), response.text(), what);
    }

    void assertDenied(RawHttp.Response response, String what) {
        assertDenied(response.status(), response.text(), what);
    }

    void assertDenied(int status, String body, String what) {
        assertThat(status).as("status of %s", what).isEqualTo(denyStatus);
        assertThat(body).as("body of %s", what).isEqualTo(denyBody);
    }
}
