#!/usr/bin/env bash
# Runs every benchmark of BENCHMARKS.md in release mode and prints one summary table.
#
#   bash Scripts/benchmarks.sh            # build, then run the whole set (under 10 minutes on 2 cores)
#   BENCH_ONLY="PushThroughput FanOut" bash Scripts/benchmarks.sh
#
# Each benchmark prints its own tables (kept in the log directory) and SUMMARY lines:
# name, value, unit, reference, reference value, ratio, target, verdict (tab-separated).
set -euo pipefail
cd "$(dirname "$0")/.."

scratch="${BENCH_SCRATCH:-.build-bench}"
logs="${BENCH_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/zmes-bench.XXXXXX")}"
mkdir -p "$logs"

# name|arguments (zmes is passed where a benchmark launches the real server)
benchmarks=(
  "PushThroughput|20000 5 ZMES"
  "RoutingScale|"
  "AlarmRate|ZMES"
  "FanOut|ZMES"
  "StartupIdle|ZMES"
)
only="${BENCH_ONLY:-}"

if ! command -v h2load >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nghttp2-client >/dev/null 2>&1 || true
  fi
  command -v h2load >/dev/null 2>&1 || echo "note: h2load not found; the push ceiling row is skipped (apt-get install nghttp2-client)" >&2
fi

# The rows against a real APNs-like endpoint (nginx) and the instance rows (PostgreSQL 15).
for need in "nginx:/usr/sbin/nginx:nginx-light:the PushThroughput rows against nginx are skipped" \
            "postgresql:/usr/lib/postgresql/15/bin/postgres:postgresql:the PushThroughput rows on PostgreSQL are skipped"; do
  IFS=: read -r label path package consequence <<<"$need"
  if [ ! -x "$path" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null 2>&1 || true
    fi
    [ -x "$path" ] || echo "note: $label not found ($path); $consequence (apt-get install $package)" >&2
  fi
done

echo "building (release, $scratch) ..." >&2
build_start=$(date +%s)
swift build -c release --scratch-path "$scratch" >"$logs/build.log" 2>&1 || { tail -30 "$logs/build.log" >&2; exit 1; }
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"
build_seconds=$(( $(date +%s) - build_start ))

run_start=$(date +%s)
failed=0
: >"$logs/summary.tsv"
for entry in "${benchmarks[@]}"; do
  name="${entry%%|*}"
  args="${entry#*|}"
  if [ -n "$only" ] && [[ " $only " != *" $name "* ]]; then continue; fi
  if [ ! -x "$bin/$name" ]; then
    printf '%s\tnot built\t\t\t\t\t\tFAIL\n' "$name" >>"$logs/summary.tsv"; failed=1; continue
  fi
  args="${args//ZMES/$bin/zmes}"
  echo "running $name $args ..." >&2
  start=$(date +%s)
  # shellcheck disable=SC2086
  if "$bin/$name" $args >"$logs/$name.out" 2>"$logs/$name.err"; then
    grep '^SUMMARY' "$logs/$name.out" | sed -E 's/^SUMMARY[ \t]//' >>"$logs/summary.tsv" || true
  else
    printf '%s\texited with an error (see %s)\t\t\t\t\t\tFAIL\n' "$name" "$logs/$name.err" >>"$logs/summary.tsv"; failed=1
    tail -5 "$logs/$name.err" >&2
  fi
  echo "  $name took $(( $(date +%s) - start )) s" >&2
done
run_seconds=$(( $(date +%s) - run_start ))

echo
echo "zmes benchmarks: $(nproc) cores, $(uname -m), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); build ${build_seconds} s, run ${run_seconds} s; logs in $logs"
echo
awk -F'\t' '
  BEGIN { n = 0 }
  { for (i = 1; i <= 8; i++) { cell[n, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n++ }
  END {
    split("measure|value|unit|reference|ref. value|ratio|target|verdict", h, "|")
    for (i = 1; i <= 8; i++) if (length(h[i]) > w[i]) w[i] = length(h[i])
    line = "|"; sep = "|"
    for (i = 1; i <= 8; i++) { line = line sprintf(" %-" w[i] "s |", h[i]); sep = sep sprintf("%s|", substr("------------------------------------------------------------------------------------------", 1, w[i] + 2)) }
    print line; print sep
    for (r = 0; r < n; r++) { line = "|"; for (i = 1; i <= 8; i++) line = line sprintf(" %-" w[i] "s |", cell[r, i]); print line }
  }' "$logs/summary.tsv"
if grep -q $'\tFAIL$' "$logs/summary.tsv"; then failed=1; fi
exit "$failed"
