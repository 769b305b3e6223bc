# Shared by the benchmark scripts (sourced, not run): tools, generated data and timed runs. The
# sourcing script defines log(), bench_dir, node_dir, data_dir, build_dir (and size_mb or orders)
# first, and work_dir before calling run_timed.

as_root() {
  if [[ "$(id -u)" == 0 ]]; then "$@"; else sudo "$@"; fi
}

# GNU time (for peak RSS), Node and @duckdb/node-api at the version bench/package.json names,
# installed into $node_dir when missing. Sets duckdb_version.
ensure_tools() {
  local tool
  for tool in node npm; do
    command -v "$tool" >/dev/null || { log "$tool is required (Node 20 or newer)"; exit 2; }
  done
  if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time (Debian package 'time')"
    as_root apt-get install -y time >/dev/null || {
      as_root apt-get update >/dev/null
      as_root apt-get install -y time >/dev/null
    }
  fi
  duckdb_version="$(node -p "require('$bench_dir/package.json').dependencies['@duckdb/node-api']")"
  local installed_version_file="$node_dir/node_modules/@duckdb/node-api/package.json"
  local installed_version=""
  if [[ -f "$installed_version_file" ]]; then
    installed_version="$(node -p "require('$installed_version_file').version")"
  fi
  if [[ "$installed_version" != "$duckdb_version" ]]; then
    log "installing @duckdb/node-api@$duckdb_version into $node_dir"
    mkdir -p "$node_dir"
    cp "$bench_dir/package.json" "$node_dir/package.json"
    npm install --prefix "$node_dir" --no-audit --no-fund >&2
  fi
}

# ensure_data FORMAT...: the generated sales-orders files of $size_mb MB, cached in $data_dir and
# keyed by size and by the generator's source, so a changed generator never leaves stale data
# behind. Sets data_file[FORMAT], expected_rows[FORMAT] and input_bytes[FORMAT]. The generator comes
# from the build directory, or is compiled here when there is none or it is older than its source.
declare -A data_file expected_rows input_bytes
ensure_data() {
  local generator_source="$bench_dir/sales_orders_generator.cc"
  local generator="$build_dir/bench/sales_orders_generator"
  if [[ ! -x "$generator" || "$generator_source" -nt "$generator" ]]; then
    generator="$data_dir/bin/sales_orders_generator"
    if [[ ! -x "$generator" || "$generator_source" -nt "$generator" ]]; then
      log "compiling $generator"
      mkdir -p "$data_dir/bin"
      "${CXX:-c++}" -std=c++20 -O2 "$generator_source" -o "$generator"
    fi
  fi
  local generator_hash format file
  generator_hash="$(sha256sum "$generator_source" | cut -c1-12)"
  mkdir -p "$data_dir"
  for format in "$@"; do
    file="$data_dir/sales_orders_${size_mb}mb_${generator_hash}.$format"
    if [[ ! -f "$file" || ! -f "$file.rows" ]]; then
      rm -f "$data_dir/sales_orders_${size_mb}mb_"*".$format"{,.rows,.tmp}
      log "generating $file"
      "$generator" --format "$format" --size-mb "$size_mb" --out "$file"
    fi
    data_file[$format]="$file"
    expected_rows[$format]="$(<"$file.rows")"
    input_bytes[$format]="$(stat -c %s "$file")"
  done
}

# The retail benchmarks' binaries and data: sets sluice and drops ($data_dir/retail_$orders, written
# by examples/retail_generator when missing, and cached). Exits 2 when a binary is not built.
ensure_retail() {
  sluice="$build_dir/apps/sluice/sluice"
  local generator="$build_dir/examples/retail_generator"
  [[ -x "$sluice" && -x "$generator" ]] || {
    log "build first: cmake --preset release && cmake --build --preset release --target sluice retail_generator"
    exit 2
  }
  drops="$data_dir/retail_${orders}"
  if [[ ! -d "$drops/orders" ]]; then
    log "generating $orders orders into $drops"
    "$generator" --out "$drops" --orders "$orders" > /dev/null
  fi
}

# Runs a command once under GNU time. Sets run_seconds (wall time, measured here with microsecond
# resolution, as GNU time's %e has only 10 ms), run_rss_kib (peak RSS, GNU time's %M) and
# run_output (its stdout). Returns non-zero, after printing its stderr, if the command fails.
run_timed() {
  local start end
  start="$EPOCHREALTIME"
  if ! /usr/bin/time -f '%e %M' -o "$work_dir/time" "$@" >"$work_dir/stdout" 2>"$work_dir/stderr"; then
    log "failed: $*"
    sed 's/^/    /' "$work_dir/stderr" >&2
    return 1
  fi
  end="$EPOCHREALTIME"
  run_seconds="$(awk -v start="$start" -v end="$end" 'BEGIN { printf "%.6f", end - start }')"
  run_rss_kib="$(awk 'END { print $2 }' "$work_dir/time")"
  run_output="$(<"$work_dir/stdout")"
}

# Folds one run (its seconds, and run_rss_kib) into best_seconds, the fastest run, and
# peak_rss_kib, the largest peak RSS.
record_run() {
  local seconds="$1"
  if [[ -z "$best_seconds" ]] || awk -v a="$seconds" -v b="$best_seconds" 'BEGIN { exit !(a < b) }'; then
    best_seconds="$seconds"
  fi
  ((run_rss_kib > peak_rss_kib)) && peak_rss_kib="$run_rss_kib"
  return 0
}

check_rows() {
  local tool="$1" got="$2" expected="$3" file="$4"
  if [[ "$got" != "$expected" ]]; then
    log "$tool counted '$got' rows in $file, expected $expected"
    return 1
  fi
}

megabytes_per_second() {
  awk -v bytes="$1" -v seconds="$2" 'BEGIN { printf "%.1f", bytes / 1e6 / seconds }'
}

rss_megabytes() {
  awk -v kib="$1" 'BEGIN { printf "%.1f", kib * 1024 / 1e6 }'
}
