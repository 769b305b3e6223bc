#!/usr/bin/env bash
# Reads generated "sales orders" data with sluice and with DuckDB in the same run and prints
# throughput (MB/s), peak RSS and the sluice/DuckDB throughput ratio, for CSV and NDJSON, with
# inferred types and with a given schema, on 1 and 2 threads. See docs/benchmarks.md.
#
# Exits non-zero if a reader fails or reports a row count other than the number generated. A ratio
# below 1.0 is reported, not treated as a failure.
set -euo pipefail
export LC_ALL=C  # "." as the decimal point in $EPOCHREALTIME and printf

usage() {
  cat <<'EOF'
usage: bench/read_benchmark.sh [--size-mb N] [--build-dir DIR] [--runs N] [--duckdb-only]

  --size-mb N      size of each generated input file in MB (10^6 bytes); default 1024
  --build-dir DIR  sluice build directory holding apps/sluice/sluice; default build/release
  --runs N         timed runs per measurement, the fastest is reported; default 3
  --duckdb-only    measure DuckDB alone (for checking the harness before sluice is built)

Data is cached in bench/.data, @duckdb/node-api is installed into bench/.node.
EOF
}

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_dir="$repo_root/bench"
data_dir="$bench_dir/.data"
node_dir="$bench_dir/.node"

size_mb=1024
build_dir="$repo_root/build/release"
runs=3
duckdb_only=0
while (($# > 0)); do
  case "$1" in
    --size-mb) size_mb="${2:?--size-mb needs a value}"; shift 2 ;;
    --build-dir) build_dir="${2:?--build-dir needs a value}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a value}"; shift 2 ;;
    --duckdb-only) duckdb_only=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "read_benchmark: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
if ! [[ "$size_mb" =~ ^[1-9][0-9]*$ && "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "read_benchmark: --size-mb and --runs take positive integers" >&2
  exit 2
fi
[[ "$build_dir" == /* ]] || build_dir="$PWD/$build_dir"

sluice="$build_dir/apps/sluice/sluice"
sluice_schema='order_id:int64,customer_id:int64,email:string,phone:string,order_ts:timestamp,product_id:string,quantity:int64,unit_price:decimal(18,2),status:string,country:string'
formats=(csv ndjson)
thread_counts=(1 2)
modes=(inferred schema)

log() { echo "read_benchmark: $*" >&2; }

source "$bench_dir/harness.sh"

# --- tools ----------------------------------------------------------------------------------------

if [[ "$duckdb_only" == 0 && ! -x "$sluice" ]]; then
  log "no sluice binary at $sluice"
  log "build it first: cmake --preset release && cmake --build --preset release"
  exit 2
fi
ensure_tools

# --- data -----------------------------------------------------------------------------------------

ensure_data "${formats[@]}"

# --- measurement ----------------------------------------------------------------------------------

work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
failures=0

# measure_sluice FORMAT MODE THREADS: sets best_seconds and peak_rss_kib; returns 1 on failure.
# Throughput counts the whole process, start-up included.
measure_sluice() {
  local format="$1" mode="$2" threads="$3" file="${data_file[$1]}"
  local command=("$sluice" count "$file" --threads "$threads")
  [[ "$mode" == schema ]] && command+=(--schema "$sluice_schema")
  best_seconds=""
  peak_rss_kib=0
  for ((run = 1; run <= runs; run++)); do
    run_timed "${command[@]}" || return 1
    check_rows sluice "$run_output" "${expected_rows[$format]}" "$file" || return 1
    record_run "$run_seconds"
  done
}

# measure_duckdb FORMAT MODE THREADS: as measure_sluice. Throughput counts the query alone, as
# reported by duckdb_read.mjs, not Node's start-up or loading DuckDB; peak RSS is the whole process.
measure_duckdb() {
  local format="$1" mode="$2" threads="$3" file="${data_file[$1]}"
  local rows seconds
  best_seconds=""
  peak_rss_kib=0
  for ((run = 1; run <= runs; run++)); do
    run_timed node "$bench_dir/duckdb_read.mjs" "$file" "$format" "$mode" "$threads" || return 1
    read -r rows seconds <<<"$run_output"
    check_rows duckdb "$rows" "${expected_rows[$format]}" "$file" || return 1
    record_run "$seconds"
  done
}

cpu_model="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "sluice read benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine:  $(nproc) CPUs (${cpu_model:-unknown}), $(awk '/^MemTotal/ { printf "%.1f GB", $2 * 1024 / 1e9 }' /proc/meminfo) RAM, $(uname -sr)"
echo "peer:     @duckdb/node-api $duckdb_version on Node $(node --version)"
for format in "${formats[@]}"; do
  echo "input:    ${data_file[$format]} ($(megabytes_per_second "${input_bytes[$format]}" 1) MB, ${expected_rows[$format]} rows)"
done
if run_timed node "$bench_dir/duckdb_read.mjs" --baseline; then
  echo "note:     Node + DuckDB before reading any data: $(rss_megabytes "$run_rss_kib") MB peak RSS, ${run_seconds} s start-up (not counted in DuckDB MB/s)"
fi
echo "method:   best of $runs runs, warm page cache; MB = 10^6 bytes of input; ratio = sluice MB/s / DuckDB MB/s"
echo

row_format='%-7s %-9s %7s %12s %14s %12s %14s %7s\n'
# shellcheck disable=SC2059
printf "$row_format" format mode threads "sluice MB/s" "sluice RSS MB" "duckdb MB/s" "duckdb RSS MB" ratio

declare -A ratio
for format in "${formats[@]}"; do
  cat "${data_file[$format]}" >/dev/null  # warm the page cache
  for threads in "${thread_counts[@]}"; do
    for mode in "${modes[@]}"; do
      sluice_rate="-" sluice_rss="-" duckdb_rate="-" duckdb_rss="-" row_ratio="-"
      if [[ "$duckdb_only" == 0 ]]; then
        if measure_sluice "$format" "$mode" "$threads"; then
          sluice_rate="$(megabytes_per_second "${input_bytes[$format]}" "$best_seconds")"
          sluice_rss="$(rss_megabytes "$peak_rss_kib")"
        else
          sluice_rate="FAILED"
          failures=$((failures + 1))
        fi
      fi
      if measure_duckdb "$format" "$mode" "$threads"; then
        duckdb_rate="$(megabytes_per_second "${input_bytes[$format]}" "$best_seconds")"
        duckdb_rss="$(rss_megabytes "$peak_rss_kib")"
      else
        duckdb_rate="FAILED"
        failures=$((failures + 1))
      fi
      if [[ "$sluice_rate" == FAILED || "$duckdb_rate" == FAILED ]]; then
        row_ratio="FAILED"
      elif [[ "$sluice_rate" =~ ^[0-9.]+$ && "$duckdb_rate" =~ ^[0-9.]+$ ]]; then
        row_ratio="$(awk -v a="$sluice_rate" -v b="$duckdb_rate" 'BEGIN { printf "%.2f", a / b }')"
      fi
      ratio[$format,$threads,$mode]="$row_ratio"
      # shellcheck disable=SC2059
      printf "$row_format" "$format" "$mode" "$threads" "$sluice_rate" "$sluice_rss" \
        "$duckdb_rate" "$duckdb_rss" "$row_ratio"
    done
  done
done

echo
echo "summary (sluice/DuckDB throughput ratio, target >= 1.00):"
for format in "${formats[@]}"; do
  for threads in "${thread_counts[@]}"; do
    line="  $format, $threads thread(s):"
    verdict="meets target"
    for mode in "${modes[@]}"; do
      value="${ratio[$format,$threads,$mode]}"
      line+=" $mode $value"
      if [[ "$value" == FAILED ]]; then
        verdict="failed"
      elif [[ "$value" == "-" ]]; then
        [[ "$verdict" == failed ]] || verdict="not measured"
      elif [[ "$verdict" == "meets target" ]] && awk -v r="$value" 'BEGIN { exit !(r < 1.0) }'; then
        verdict="below target"
      fi
    done
    echo "$line -> $verdict"
  done
done

if ((failures > 0)); then
  log "$failures measurement(s) failed or counted the wrong number of rows"
  exit 1
fi
