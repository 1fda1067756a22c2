#!/usr/bin/env bash
# The test command: every test, in two passes.
#
#   Scripts/test.sh [extra swift test arguments]
#
# The load tests (a push burst against a real nginx, SIGTERM during a push
# burst, thousands of connections against a small open-file limit, 1,200 silent
# sockets against the handshake and login deadlines, 1,000 alarms through MQTT
# while the broker or zmes goes down) saturate a
# small machine for tens of seconds; run beside the rest, they starve the
# in-process servers of other tests past their timeouts. The suites that start
# heavy programs (a headless Chromium, 50 hook processes at once, Mosquitto
# brokers and zmes processes, three instances on PostgreSQL) run with them for the same reason. So the rest
# runs first, in parallel, then these one at a time.
set -euo pipefail
cd "$(dirname "$0")/.."

LOAD_SUITES='InstancesBurstTests|RealHTTP2ServerTests|GracefulStopTests|OpenFilesTests|LimitsTests|MQTTBurstTests|ConsoleBrowserTests|HookTests|HookSourceTests|MQTTDeliveryTests|MQTTLoginTests'

swift build --build-tests
swift test --skip-build --skip "$LOAD_SUITES" "$@"
ZMES_STORM_TEST=1 swift test --skip-build --no-parallel --filter "$LOAD_SUITES" "$@"
