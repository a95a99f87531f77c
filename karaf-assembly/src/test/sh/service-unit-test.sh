#!/usr/bin/env bash
#
# The shipped systemd unit (bin/contrib/mqtt-warden.service): systemd-analyze verify accepts it (with the
# executables pointed at /bin/true, as /opt/mqtt-warden is not there at build time), it runs the gateway as
# a user of its own, restarts it on failure and keeps its hardening. Skipped where systemd is not installed.
#
# usage: service-unit-test.sh <assembly folder>
set -u
UNIT=${1:?usage: service-unit-test.sh <assembly folder>}/bin/contrib/mqtt-warden.service
[ -r "$UNIT" ] || { echo "service-unit-test: no $UNIT" >&2; exit 1; }
failures=0
for line in 'User=warden' 'ExecStart=/opt/mqtt-warden/bin/karaf server' 'Restart=on-failure' \
        'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ReadWritePaths=/opt/mqtt-warden' 'CapabilityBoundingSet=' \
        'UMask=0077' 'Before=mosquitto.service'; do
    grep -qx "$line" "$UNIT" || { echo "FAIL: $UNIT lacks '$line'" >&2; failures=$((failures + 1)); }
done
if command -v systemd-analyze >/dev/null 2>&1; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    sed 's#^ExecStart=.*#ExecStart=/bin/true#; s#^ExecStop=.*#ExecStop=/bin/true#' "$UNIT" > "$work/mqtt-warden.service"
    if ! out=$(systemd-analyze verify "$work/mqtt-warden.service" 2>&1) || [ -n "$out" ]; then
        echo "FAIL: systemd-analyze verify: $out" >&2
        failures=$((failures + 1))
    fi
else
    echo "service-unit-test: systemd-analyze not installed, verify skipped"
fi
[ "$failures" -eq 0 ] || exit 1
echo "service-unit-test: all passed"
