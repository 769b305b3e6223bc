#!/usr/bin/env bash
# The retail example run with an s3:// lake on a real S3 server gives the same tables (bronze,
# silver, gold, quarantine, quality) and the same warehouse as with a local lake; a rerun ingests nothing; the secret key never appears in any output or report; a
# wrong secret and missing credentials fail with clear messages.
#   s3_pipeline.sh SLUICE_BINARY EXAMPLE_DIR WORK_DIR    (SLUICE_S3_ENV names the server's env file)
set -euo pipefail
sluice=$1
example=$2
work=$3
: "${SLUICE_S3_ENV:?run through ctest: the s3_server fixture writes the env file}"
# shellcheck disable=SC1090
. "$SLUICE_S3_ENV"
export AWS_ENDPOINT_URL_S3=$S3_ENDPOINT AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY AWS_REGION=$S3_REGION
unset AWS_PROFILE AWS_SESSION_TOKEN
export HOME=$work/home  # no ~/.aws of the machine's
# The silver tables' masks (test keys).
export SLUICE_MASKING_KEY=s3-pipeline-test-masking-key
export SLUICE_TOKEN_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
lake="s3://$S3_BUCKET/pipeline-$(date +%s%N)-$$/lake"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

rm -rf "$work" && mkdir -p "$work/home"
for side in local s3; do
  mkdir -p "$work/$side"
  cp -r "$example/drops" "$example/models" "$example/deliver.sh" "$example/sluice.yml" "$work/$side/"
  bash "$work/$side/deliver.sh" all
done
sed -i "s|^lake: .*|lake: $lake|" "$work/s3/sluice.yml"
grep -q "^lake: s3://" "$work/s3/sluice.yml" || fail "could not point the project at $lake"

"$sluice" validate "$work/s3" > "$work/validate.out" 2>&1 || fail "validate: $(cat "$work/validate.out")"
"$sluice" run "$work/local" --no-progress > "$work/local.out" 2>&1 ||
  fail "local run: $(cat "$work/local.out")"
"$sluice" run "$work/s3" --no-progress > "$work/s3.out" 2>&1 || fail "s3 run: $(cat "$work/s3.out")"

# The same rows and rejects in every table.
for table in bronze/orders bronze/customers bronze/products quarantine/orders quarantine/customers \
    silver/orders silver/customers silver/products quarantine/silver.orders quality/silver.orders \
    gold/dim_customer gold/dim_product gold/dim_date gold/fact_sales gold/daily_sales; do
  local_rows=$("$sluice" count "$work/local/lake/$table")
  s3_rows=$("$sluice" count "$lake/$table")
  [ "$local_rows" = "$s3_rows" ] || fail "$table: $local_rows rows locally, $s3_rows on S3"
  [ "$local_rows" -gt 0 ] || fail "$table is empty"
  echo "$table: $s3_rows rows on both"
done
"$sluice" cat "$work/local/lake/bronze/products" --columns product_id,name --to csv |
  sort > "$work/local-products.csv"
"$sluice" cat "$lake/bronze/products" --columns product_id,name --to csv |
  sort > "$work/s3-products.csv"
cmp -s "$work/local-products.csv" "$work/s3-products.csv" || fail "bronze.products differs"
# The same warehouse answers.
for side in local s3; do
  "$sluice" query "$work/$side" "select * from revenue_by_country" --csv > "$work/$side-revenue.csv" ||
    fail "query the $side warehouse"
done
cmp -s "$work/local-revenue.csv" "$work/s3-revenue.csv" || fail "the warehouses differ"
[ "$(wc -l < "$work/s3-revenue.csv")" -gt 1 ] || fail "revenue_by_country is empty"

# A rerun takes nothing new.
"$sluice" run "$work/s3" --no-progress > "$work/rerun.out" 2>&1 || fail "rerun: $(cat "$work/rerun.out")"
grep -Eq 'bronze\.orders +ok +0 +0 +0' "$work/rerun.out" || fail "the rerun ingested again: $(cat "$work/rerun.out")"
history=$("$sluice" table history "$lake/bronze/orders" | tail -n +2 | wc -l)
[ "$history" -eq 1 ] || fail "bronze.orders has $history commits after two runs, expected 1"

# Table commands on S3: two appends, compaction into one file, vacuum of the replaced files, then
# deletion vectors and the change feed.
scratch="$lake/scratch/products"
for day in 1 2; do
  "$sluice" convert "$work/s3/drops/products/"*.csv "$scratch" --mode append 2> "$work/convert.err" ||
    fail "convert to $scratch: $(cat "$work/convert.err")"
done
rows_before=$("$sluice" count "$scratch")
"$sluice" schema "$scratch" | grep -q '^product_id  *int64' || fail "schema of $scratch"
"$sluice" table describe "$scratch" > "$work/describe.out" || fail "describe"
"$sluice" table optimize "$scratch" > "$work/optimize.out" 2>&1 ||
  fail "optimize: $(cat "$work/optimize.out")"
"$sluice" table vacuum "$scratch" --retain 0h --allow-short-retention > "$work/vacuum.out" 2>&1 ||
  fail "vacuum: $(cat "$work/vacuum.out")"
grep -q "deleted 2 files" "$work/vacuum.out" || fail "vacuum: $(cat "$work/vacuum.out")"
[ "$("$sluice" count "$scratch")" = "$rows_before" ] || fail "optimize/vacuum changed the rows"
if "$sluice" count "$scratch" --version 0 > /dev/null 2> "$work/timetravel.err"; then
  fail "version 0 is still readable after vacuum removed its file"
fi
grep -q "s3://" "$work/timetravel.err" || fail "no object named: $(cat "$work/timetravel.err")"

# Deletion vectors and the change feed on S3: the vector is written and read back through the
# store (ranged GETs), the change file names the deleted rows, VACUUM keeps the live vector.
"$sluice" table properties "$scratch" delta.enableDeletionVectors=true \
  delta.enableChangeDataFeed=true > /dev/null 2>&1 || fail "table properties on S3"
first_id=$("$sluice" cat "$scratch" --columns product_id --to csv | sed -n 2p)
"$sluice" table delete "$scratch" --where "product_id = $first_id" > "$work/dv.out" 2>&1 ||
  fail "delete with deletion vectors: $(cat "$work/dv.out")"
grep -q "deletion vector" "$work/dv.out" || fail "no deletion vector written: $(cat "$work/dv.out")"
deleted=$(sed -nE 's/.*deleted ([0-9]+) rows.*/\1/p' "$work/dv.out")
[ "${deleted:-0}" -ge 1 ] || fail "nothing deleted: $(cat "$work/dv.out")"
rows_after=$((rows_before - deleted))
[ "$("$sluice" count "$scratch")" = "$rows_after" ] || fail "the deleted rows are still read"
"$sluice" cat "$scratch" --where "product_id = $first_id" --to csv | grep -q "^$first_id," &&
  fail "product $first_id is still read"
version=$(sed -nE 's/.*→ version ([0-9]+).*/\1/p' "$work/dv.out")
"$sluice" table changes "$scratch" --from-version "$version" --to csv > "$work/changes.csv" ||
  fail "table changes on S3"
[ "$(grep -c ",delete,$version," "$work/changes.csv")" = "$deleted" ] ||
  fail "the change feed lacks the deletes: $(cat "$work/changes.csv")"
"$sluice" table vacuum "$scratch" --retain 0h --allow-short-retention > "$work/vacuum2.out" 2>&1 ||
  fail "vacuum: $(cat "$work/vacuum2.out")"
[ "$("$sluice" count "$scratch")" = "$rows_after" ] || fail "vacuum lost the vector"

# A wrong secret: a clear authentication error, and the canary appears nowhere.
canary="CANARY-s3-secret-$$-7d2f"
mkdir -p "$work/wrong" && cp -r "$work/s3/inbox" "$work/s3/models" "$work/s3/sluice.yml" "$work/wrong/"
status=0
AWS_SECRET_ACCESS_KEY=$canary "$sluice" run "$work/wrong" --no-progress > "$work/wrong.out" \
  2> "$work/wrong.err" || status=$?
[ $status -ne 0 ] || fail "a run with a wrong secret succeeded"
grep -q "secret key does not match access key id '$S3_ACCESS_KEY'" "$work/wrong.out" "$work/wrong.err" ||
  fail "no clear authentication error: $(cat "$work/wrong.err" "$work/wrong.out")"
if grep -rq -- "$canary" "$work/wrong.out" "$work/wrong.err" "$work/wrong/runs"; then
  fail "the canary secret leaked into output or reports"
fi
# The real secret appears in no output or report either.
if grep -rqF -- "$S3_SECRET_KEY" "$work"/*.out "$work/wrong.err" "$work/s3/runs" "$work/wrong/runs"; then
  fail "the secret key leaked into output or reports"
fi

# No credentials at all: validate says so (exit 2) before anything runs.
status=0
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$sluice" validate "$work/s3" > "$work/nocreds.out" 2>&1 ||
  status=$?
[ $status -eq 2 ] || fail "validate without credentials exited $status: $(cat "$work/nocreds.out")"
grep -q "no S3 credentials found" "$work/nocreds.out" || fail "$(cat "$work/nocreds.out")"
echo "ok: the retail pipeline on $lake matches the local lake; rerun idempotent; secrets never shown"
