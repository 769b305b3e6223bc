#!/usr/bin/env bash
# The Parquet "speed race": writes generated "sales orders" data as Parquet, and scans Parquet,
# with sluice and with DuckDB in the same run, on 1 and 2 threads. Workloads:
#
#   csv_snappy     CSV    -> Parquet, snappy   (sluice convert / DuckDB COPY ... TO ... (FORMAT parquet))
#   csv_zstd       CSV    -> Parquet, zstd
#   ndjson_snappy  NDJSON -> Parquet, snappy
#   scan           count(*) and sum(quantity * unit_price) grouped by status over a Parquet file
#                  (bench/parquet_scan / DuckDB read_parquet), once over the file sluice wrote in
#                  csv_snappy and once over the file DuckDB wrote
#
# For each it prints MB/s and rows/s, peak RSS and output size of both tools, the time ratio
# (DuckDB seconds / sluice seconds) and the size ratio (sluice output / DuckDB output), then a
# summary against the targets: every conversion at least as fast as DuckDB (stretch 1.5x), output at
# most 10% larger than DuckDB's, sluice peak RSS under 1 GB.
#
# Exits non-zero if a tool fails, an output holds a row count other than the number generated, or
# the two scans disagree on any group, count or sum. A missed target is reported, not treated as a
# failure.
set -euo pipefail
export LC_ALL=C  # "." as the decimal point in $EPOCHREALTIME and printf, byte order in sort

usage() {
  cat <<'EOF'
usage: bench/parquet_benchmark.sh [--size-mb N] [--build-dir DIR] [--runs N] [--workloads LIST]

  --size-mb N       size of each generated input file in MB (10^6 bytes); default 1024
  --build-dir DIR   sluice build directory holding apps/sluice/sluice and bench/parquet_scan;
                    default build/release
  --runs N          timed runs per measurement, the fastest is reported; default 3
  --workloads LIST  comma-separated subset of csv_snappy,csv_zstd,ndjson_snappy,scan; default all

Data is cached in bench/.data (shared with bench/read_benchmark.sh), @duckdb/node-api is installed
into bench/.node. Parquet outputs go to a temporary directory removed at exit.
EOF
}

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_dir="$repo_root/bench"
data_dir="$bench_dir/.data"
node_dir="$bench_dir/.node"

all_workloads=(csv_snappy csv_zstd ndjson_snappy scan)
size_mb=1024
build_dir="$repo_root/build/release"
runs=3
workload_list="$(IFS=,; echo "${all_workloads[*]}")"
while (($# > 0)); do
  case "$1" in
    --size-mb) size_mb="${2:?--size-mb needs a value}"; shift 2 ;;
    --build-dir) build_dir="${2:?--build-dir needs a value}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a value}"; shift 2 ;;
    --workloads) workload_list="${2:?--workloads needs a value}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "parquet_benchmark: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
if ! [[ "$size_mb" =~ ^[1-9][0-9]*$ && "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "parquet_benchmark: --size-mb and --runs take positive integers" >&2
  exit 2
fi
[[ "$build_dir" == /* ]] || build_dir="$PWD/$build_dir"

# The selected workloads, in the order of all_workloads whatever the order given.
declare -A selected=()
IFS=, read -r -a requested <<<"$workload_list"
for name in "${requested[@]}"; do
  case "$name" in
    csv_snappy | csv_zstd | ndjson_snappy | scan) selected[$name]=1 ;;
    *)
      echo "parquet_benchmark: unknown workload '$name' (expected $(IFS=,; echo "${all_workloads[*]}"))" >&2
      exit 2
      ;;
  esac
done
workloads=()
for name in "${all_workloads[@]}"; do
  [[ -n "${selected[$name]:-}" ]] && workloads+=("$name")
done
((${#workloads[@]} > 0)) || { echo "parquet_benchmark: --workloads selects nothing" >&2; exit 2; }

sluice="$build_dir/apps/sluice/sluice"
parquet_scan="$build_dir/bench/parquet_scan"
# The same schema as bench/read_benchmark.sh; kSchema in bench/duckdb_parquet.mjs gives DuckDB the
# same types.
sluice_schema='order_id:int64,customer_id:int64,email:string,phone:string,order_ts:timestamp,product_id:string,quantity:int64,unit_price:decimal(18,2),status:string,country:string'
thread_counts=(1 2)
scan_sources=(sluice duckdb)  # who wrote the Parquet file the scan reads
# Targets.
time_target=1.00     # DuckDB seconds / sluice seconds, for every conversion
time_stretch=1.50
size_target=1.10     # sluice output bytes / DuckDB output bytes
rss_limit_mb=1000    # sluice peak RSS, MB = 10^6 bytes: under 1 GB

# Input format, compression and description of each conversion.
declare -A workload_format=([csv_snappy]=csv [csv_zstd]=csv [ndjson_snappy]=ndjson [scan]=csv)
declare -A workload_codec=([csv_snappy]=snappy [csv_zstd]=zstd [ndjson_snappy]=snappy)
declare -A workload_title=(
  [csv_snappy]="CSV -> Parquet, snappy"
  [csv_zstd]="CSV -> Parquet, zstd"
  [ndjson_snappy]="NDJSON -> Parquet, snappy"
  [scan]="scan Parquet: count(*), sum(quantity * unit_price) GROUP BY status"
)

log() { echo "parquet_benchmark: $*" >&2; }

source "$bench_dir/harness.sh"

# --- tools ----------------------------------------------------------------------------------------

if [[ ! -x "$sluice" ]]; then
  log "no sluice binary at $sluice"
  log "build it first: cmake --preset release && cmake --build --preset release"
  exit 2
fi
if [[ -n "${selected[scan]:-}" && ! -x "$parquet_scan" ]]; then
  log "no parquet_scan binary at $parquet_scan (needed by the scan workload)"
  log "build it first: cmake --build --preset release --target parquet_scan"
  exit 2
fi
ensure_tools

# --- data -----------------------------------------------------------------------------------------

# The data files are those of bench/read_benchmark.sh, so the two share the cache.
declare -A needed_format=()
for workload in "${workloads[@]}"; do needed_format[${workload_format[$workload]}]=1; done
formats=()
for format in csv ndjson; do [[ -n "${needed_format[$format]:-}" ]] && formats+=("$format"); done

ensure_data "${formats[@]}"

# --- measurement ----------------------------------------------------------------------------------

work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
failures=0

# The Parquet files the scan reads: csv_snappy's 1-thread outputs, kept after their measurement
# (or written by prepare_scan_files when csv_snappy is not measured or failed).
declare -A scan_file=([sluice]="$work_dir/scan_sluice.parquet" [duckdb]="$work_dir/scan_duckdb.parquet")

# check_outputs EXPECTED FILE...: counts the rows of each Parquet file with DuckDB (not timed) and
# returns 1 if any differs from EXPECTED.
check_outputs() {
  local expected="$1" counts index=0 count file
  shift
  run_timed node "$bench_dir/duckdb_parquet.mjs" count "$@" || return 1
  mapfile -t counts <<<"$run_output"
  for file in "$@"; do
    count="${counts[index]:-}"
    index=$((index + 1))
    check_rows "duckdb (output check)" "$count" "$expected" "$file" || return 1
  done
}

# measure_sluice_convert WORKLOAD THREADS OUT: sets best_seconds, peak_rss_kib and output_bytes
# (of the last run's OUT); returns 1 on failure. The time is the whole process, start-up included.
measure_sluice_convert() {
  local workload="$1" threads="$2" out="$3"
  local format="${workload_format[$1]}" codec="${workload_codec[$1]}"
  local command=("$sluice" --threads "$threads" convert "${data_file[$format]}" "$out"
    --schema "$sluice_schema" --quiet)
  [[ "$codec" == snappy ]] || command+=(--compression "$codec")
  best_seconds=""
  peak_rss_kib=0
  for ((run = 1; run <= runs; run++)); do
    rm -f "$out"
    run_timed "${command[@]}" || return 1
    record_run "$run_seconds"
  done
  output_bytes="$(stat -c %s "$out")"
}

# measure_duckdb_convert WORKLOAD THREADS OUT: as measure_sluice_convert. The time is the query
# alone, as reported by duckdb_parquet.mjs, not Node's start-up or loading DuckDB; peak RSS is the
# whole process.
measure_duckdb_convert() {
  local workload="$1" threads="$2" out="$3"
  local format="${workload_format[$1]}" codec="${workload_codec[$1]}" rows seconds
  best_seconds=""
  peak_rss_kib=0
  for ((run = 1; run <= runs; run++)); do
    rm -f "$out"
    run_timed node "$bench_dir/duckdb_parquet.mjs" convert "${data_file[$format]}" "$format" \
      "$out" "$codec" "$threads" || return 1
    read -r rows seconds <<<"$run_output"
    check_rows duckdb "$rows" "${expected_rows[$format]}" "$out" || return 1
    record_run "$seconds"
  done
  output_bytes="$(stat -c %s "$out")"
}

# The groups every scan must return, "status count sum" lines sorted by status: those of DuckDB
# over the file DuckDB wrote (see prepare_scan_files); every scan (either tool, either file, any
# run) must return exactly these.
scan_reference=""
scan_reference_from=""

# check_scan TOOL FILE OUTPUT: OUTPUT is a scan's stdout ("ROWS SECONDS", then the groups). Checks
# the row total and the group counts against the generated row count and the groups against
# scan_reference; sets scan_seconds (the SECONDS it printed). Returns 1 on a mismatch.
check_scan() {
  local tool="$1" file="$2" output="$3" rows groups counted
  read -r rows scan_seconds <<<"${output%%$'\n'*}"
  check_rows "$tool" "$rows" "${expected_rows[csv]}" "$file" || return 1
  groups="$(tail -n +2 <<<"$output" | sort)"
  counted="$(awk '{ total += $2 } END { print total + 0 }' <<<"$groups")"
  if [[ "$counted" != "$rows" ]]; then
    log "$tool: the group counts over $file add up to $counted, not $rows"
    return 1
  fi
  if [[ -z "$scan_reference" ]]; then
    scan_reference="$groups"
    scan_reference_from="$tool over $file"
  elif [[ "$groups" != "$scan_reference" ]]; then
    log "$tool over $file returned other groups than $scan_reference_from:"
    diff <(echo "$scan_reference") <(echo "$groups") | sed 's/^/    /' >&2 || true
    return 1
  fi
}

# measure_sluice_scan FILE THREADS: sets best_seconds and peak_rss_kib; returns 1 on failure. The
# time is the whole parquet_scan process, start-up included, as for the conversions.
measure_sluice_scan() {
  local file="$1" threads="$2"
  best_seconds=""
  peak_rss_kib=0
  for ((run = 1; run <= runs; run++)); do
    run_timed "$parquet_scan" "$file" --threads "$threads" || return 1
    check_scan sluice "$file" "$run_output" || return 1
    record_run "$run_seconds"
  done
}

# measure_duckdb_scan FILE THREADS: as measure_sluice_scan; the time is the query alone.
measure_duckdb_scan() {
  local file="$1" threads="$2"
  best_seconds=""
  peak_rss_kib=0
  for ((run = 1; run <= runs; run++)); do
    run_timed node "$bench_dir/duckdb_parquet.mjs" scan "$file" "$threads" || return 1
    check_scan duckdb "$file" "$run_output" || return 1
    record_run "$scan_seconds"
  done
}

# Writes the scan's input files, untimed, when csv_snappy did not leave them behind, checks their
# row counts and sets scan_reference by scanning the file DuckDB wrote with DuckDB.
prepare_scan_files() {
  local csv="${data_file[csv]}"
  if [[ ! -f "${scan_file[sluice]}" ]]; then
    log "writing ${scan_file[sluice]} with sluice (not timed)"
    run_timed "$sluice" --threads 1 convert "$csv" "${scan_file[sluice]}" --schema "$sluice_schema" \
      --quiet || return 1
  fi
  if [[ ! -f "${scan_file[duckdb]}" ]]; then
    log "writing ${scan_file[duckdb]} with DuckDB (not timed)"
    run_timed node "$bench_dir/duckdb_parquet.mjs" convert "$csv" csv "${scan_file[duckdb]}" snappy 1 ||
      return 1
  fi
  check_outputs "${expected_rows[csv]}" "${scan_file[sluice]}" "${scan_file[duckdb]}" || return 1
  scan_reference=""
  run_timed node "$bench_dir/duckdb_parquet.mjs" scan "${scan_file[duckdb]}" 1 || return 1
  check_scan duckdb "${scan_file[duckdb]}" "$run_output"
}

megabytes() {
  awk -v bytes="$1" 'BEGIN { printf "%.1f", bytes / 1e6 }'
}

rows_per_second() {
  awk -v rows="$1" -v seconds="$2" 'BEGIN { printf "%.0f", rows / seconds }'
}

# a / b, unrounded (the summary compares these with the targets) and rounded for display.
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a / b }'
}

# rounded VALUE [DECIMALS]: VALUE with DECIMALS (default 2) decimals, or as is if not a number.
rounded() {
  if [[ "$1" =~ ^[0-9.]+$ ]]; then
    awk -v r="$1" -v d="${2:-2}" 'BEGIN { printf "%.*f", d, r }'
  else
    echo "$1"
  fi
}

cpu_model="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "sluice Parquet benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine:   $(nproc) CPUs (${cpu_model:-unknown}), $(awk '/^MemTotal/ { printf "%.1f GB", $2 * 1024 / 1e9 }' /proc/meminfo) RAM, $(uname -sr)"
echo "peer:      @duckdb/node-api $duckdb_version on Node $(node --version)"
for format in "${formats[@]}"; do
  echo "input:     ${data_file[$format]} ($(megabytes "${input_bytes[$format]}") MB, ${expected_rows[$format]} rows)"
done
echo "workloads: ${workloads[*]}"
if run_timed node "$bench_dir/duckdb_parquet.mjs" --baseline; then
  echo "note:      Node + DuckDB before reading any data: $(rss_megabytes "$run_rss_kib") MB peak RSS, ${run_seconds} s start-up (not counted in DuckDB MB/s)"
fi
echo "method:    best of $runs runs, warm page cache; MB = 10^6 bytes of input (for the scan, of the"
echo "           Parquet file); sluice timed as a whole process, DuckDB as the query alone; output"
echo "           row counts checked with DuckDB; time = DuckDB s / sluice s (> 1: sluice faster);"
echo "           size = sluice output / DuckDB output"

# Results by "WORKLOAD,THREADS" (scan: "scan:SOURCE,THREADS"), for the summary.
declare -A time_ratio size_ratio sluice_rss

header_groups='%-16s %35s   %35s   %11s\n'
row_format='%-16s %8s %10s %7s %7s   %8s %10s %7s %7s   %5s %5s\n'
print_header() {
  local first="$1"
  echo
  echo "$2"
  # shellcheck disable=SC2059
  printf "$header_groups" "" "------------- sluice --------------" "------------- duckdb --------------" \
    "-- ratio --"
  # shellcheck disable=SC2059
  printf "$row_format" "$first" "MB/s" "rows/s" "RSS MB" "out MB" "MB/s" "rows/s" "RSS MB" "out MB" \
    time size
}

# Formats one tool's columns from best_seconds, peak_rss_kib and the given byte counts into
# columns (MB/s rows/s RSS-MB out-MB), or FAILED.
tool_columns() {
  local ok="$1" bytes="$2" rows="$3" out_bytes="$4"
  if [[ "$ok" == 1 ]]; then
    local out="-"
    [[ -n "$out_bytes" ]] && out="$(megabytes "$out_bytes")"
    columns=("$(megabytes_per_second "$bytes" "$best_seconds")" "$(rows_per_second "$rows" "$best_seconds")"
      "$(rss_megabytes "$peak_rss_kib")" "$out")
  else
    columns=(FAILED - - -)
  fi
}

run_conversion() {
  local workload="$1" threads="$2"
  local format="${workload_format[$1]}" codec="${workload_codec[$1]}"
  local sluice_out="$work_dir/${workload}_${threads}_sluice.parquet"
  local duckdb_out="$work_dir/${workload}_${threads}_duckdb.parquet"
  local bytes="${input_bytes[$format]}" rows="${expected_rows[$format]}"
  local sluice_ok=0 duckdb_ok=0 sluice_seconds="" duckdb_seconds="" sluice_bytes="" duckdb_bytes=""
  local sluice_columns duckdb_columns row_time="-" row_size="-"

  if measure_sluice_convert "$workload" "$threads" "$sluice_out" &&
    check_outputs "$rows" "$sluice_out"; then
    sluice_ok=1 sluice_seconds="$best_seconds" sluice_bytes="$output_bytes"
    sluice_rss[$workload,$threads]="$(rss_megabytes "$peak_rss_kib")"
  else
    failures=$((failures + 1))
    sluice_rss[$workload,$threads]=FAILED
  fi
  tool_columns "$sluice_ok" "$bytes" "$rows" "$sluice_bytes"
  sluice_columns=("${columns[@]}")

  if measure_duckdb_convert "$workload" "$threads" "$duckdb_out" &&
    check_outputs "$rows" "$duckdb_out"; then
    duckdb_ok=1 duckdb_seconds="$best_seconds" duckdb_bytes="$output_bytes"
  else
    failures=$((failures + 1))
  fi
  tool_columns "$duckdb_ok" "$bytes" "$rows" "$duckdb_bytes"
  duckdb_columns=("${columns[@]}")

  if [[ "$sluice_ok" == 1 && "$duckdb_ok" == 1 ]]; then
    row_time="$(ratio "$duckdb_seconds" "$sluice_seconds")"
    row_size="$(ratio "$sluice_bytes" "$duckdb_bytes")"
  else
    row_time=FAILED row_size=FAILED
  fi
  time_ratio[$workload,$threads]="$row_time"
  size_ratio[$workload,$threads]="$row_size"
  # shellcheck disable=SC2059
  printf "$row_format" "$threads" "${sluice_columns[@]}" "${duckdb_columns[@]}" "$(rounded "$row_time")" \
    "$(rounded "$row_size")"

  # The outputs are large: keep only the two the scan reads.
  if [[ "$workload" == csv_snappy && "$threads" == "${thread_counts[0]}" && -n "${selected[scan]:-}" ]]; then
    [[ "$sluice_ok" == 1 ]] && mv "$sluice_out" "${scan_file[sluice]}"
    [[ "$duckdb_ok" == 1 ]] && mv "$duckdb_out" "${scan_file[duckdb]}"
  fi
  rm -f "$sluice_out" "$duckdb_out"
}

run_scan() {
  local source="$1" threads="$2" file="${scan_file[$1]}"
  local bytes rows="${expected_rows[csv]}" sluice_ok=0 duckdb_ok=0 sluice_seconds="" duckdb_seconds=""
  local sluice_columns duckdb_columns row_time=FAILED
  bytes="$(stat -c %s "$file")"
  if measure_sluice_scan "$file" "$threads"; then
    sluice_ok=1 sluice_seconds="$best_seconds"
    sluice_rss[scan:$source,$threads]="$(rss_megabytes "$peak_rss_kib")"
  else
    failures=$((failures + 1))
    sluice_rss[scan:$source,$threads]=FAILED
  fi
  tool_columns "$sluice_ok" "$bytes" "$rows" ""
  sluice_columns=("${columns[@]}")
  if measure_duckdb_scan "$file" "$threads"; then
    duckdb_ok=1 duckdb_seconds="$best_seconds"
  else
    failures=$((failures + 1))
  fi
  tool_columns "$duckdb_ok" "$bytes" "$rows" ""
  duckdb_columns=("${columns[@]}")
  if [[ "$sluice_ok" == 1 && "$duckdb_ok" == 1 ]]; then
    row_time="$(ratio "$duckdb_seconds" "$sluice_seconds")"
  fi
  time_ratio[scan:$source,$threads]="$row_time"
  # shellcheck disable=SC2059
  printf "$row_format" "$source, $threads" "${sluice_columns[@]}" "${duckdb_columns[@]}" \
    "$(rounded "$row_time")" -
}

for workload in "${workloads[@]}"; do
  format="${workload_format[$workload]}"
  if [[ "$workload" == scan ]]; then
    if ! prepare_scan_files; then
      log "could not write the Parquet files to scan; skipping the scan"
      failures=$((failures + 1))
      continue
    fi
    print_header "file, threads" "scan: ${workload_title[scan]}; file written by sluice / by DuckDB from the CSV (snappy, 1 thread): $(megabytes "$(stat -c %s "${scan_file[sluice]}")") / $(megabytes "$(stat -c %s "${scan_file[duckdb]}")") MB"
    for source in "${scan_sources[@]}"; do
      cat "${scan_file[$source]}" >/dev/null  # warm the page cache
      for threads in "${thread_counts[@]}"; do
        run_scan "$source" "$threads"
      done
    done
    continue
  fi
  print_header threads "$workload: ${workload_title[$workload]}; input $(megabytes "${input_bytes[$format]}") MB, ${expected_rows[$format]} rows"
  cat "${data_file[$format]}" >/dev/null  # warm the page cache
  for threads in "${thread_counts[@]}"; do
    run_conversion "$workload" "$threads"
  done
done

# --- summary --------------------------------------------------------------------------------------

missed=0
# verdict VALUE OP LIMIT: "ok" if VALUE OP LIMIT holds, "MISSED" if not, nothing if VALUE is not a
# number (FAILED).
verdict() {
  local value="$1" op="$2" limit="$3"
  if ! [[ "$value" =~ ^[0-9.]+$ ]]; then
    echo ""
  elif awk -v v="$value" -v l="$limit" "BEGIN { exit !(v $op l) }"; then
    echo "ok"
  else
    echo "MISSED"
  fi
}

rss_text() {
  if [[ "$1" =~ ^[0-9.]+$ ]]; then echo "$1 MB"; else echo "$1"; fi
}

echo
echo "summary (targets: time ratio >= $time_target, stretch >= $time_stretch; size ratio <= $size_target;"
echo "         sluice peak RSS < $rss_limit_mb MB):"
for workload in "${workloads[@]}"; do
  if [[ "$workload" == scan ]]; then
    for source in "${scan_sources[@]}"; do
      for threads in "${thread_counts[@]}"; do
        key="scan:$source,$threads"
        [[ -n "${time_ratio[$key]:-}" ]] || continue
        rss_verdict="$(verdict "${sluice_rss[$key]}" '<' "$rss_limit_mb")"
        [[ "$rss_verdict" == MISSED ]] && missed=$((missed + 1))
        printf '  %-36s time %5s (no target)              RSS %10s %s\n' \
          "scan, $source's file, $threads thread(s):" "$(rounded "${time_ratio[$key]}")" \
          "$(rss_text "${sluice_rss[$key]}")" "$rss_verdict"
      done
    done
    continue
  fi
  for threads in "${thread_counts[@]}"; do
    key="$workload,$threads"
    [[ -n "${time_ratio[$key]:-}" ]] || continue
    time_verdict="$(verdict "${time_ratio[$key]}" '>=' "$time_target")"
    if [[ "$time_verdict" == ok ]]; then
      if [[ "$(verdict "${time_ratio[$key]}" '>=' "$time_stretch")" == ok ]]; then
        time_verdict+=", stretch ok"
      else
        time_verdict+=", stretch no"
      fi
    fi
    size_verdict="$(verdict "${size_ratio[$key]}" '<=' "$size_target")"
    rss_verdict="$(verdict "${sluice_rss[$key]}" '<' "$rss_limit_mb")"
    for v in "$time_verdict" "$size_verdict" "$rss_verdict"; do
      [[ "$v" == MISSED ]] && missed=$((missed + 1))
    done
    # The ratios with 3 decimals, so one just past a target does not read as the target itself.
    printf '  %-36s time %5s %-17s size %5s %-6s RSS %10s %s\n' "$workload, $threads thread(s):" \
      "$(rounded "${time_ratio[$key]}" 3)" "$time_verdict" "$(rounded "${size_ratio[$key]}" 3)" \
      "$size_verdict" "$(rss_text "${sluice_rss[$key]}")" "$rss_verdict"
  done
done
if ((failures > 0)); then
  echo "  -> $failures measurement(s) FAILED"
elif ((missed > 0)); then
  echo "  -> $missed target(s) missed"
else
  echo "  -> all targets met"
fi

if ((failures > 0)); then
  log "$failures measurement(s) failed, wrote the wrong number of rows or returned other scan results"
  exit 1
fi
