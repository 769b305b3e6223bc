#!/usr/bin/env bash
# DuckDB as the reference for sluice's expression engine: generated rows (with nulls in every
# column, negative numbers, unicode and mixed case), a set of expressions covering every operator
# and function both have, and every value must agree.
#
#   tests/interop/duckdb_checks_expressions.sh EXPRESSION_EVAL_BINARY
set -euo pipefail
eval_binary="${1:?usage: duckdb_checks_expressions.sh EXPRESSION_EVAL_BINARY}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 3,000 rows; each column is null on its own period so that nulls meet values everywhere.
awk 'BEGIN {
  split("apple|Banana|cherry pie|Éclair|date palm|42|fig  |Grape Fruit|kiwi|LIME", names, "|");
  print "id,qty,price,name,flag,day,ts,amount";
  for (i = 1; i <= 3000; i++) {
    qty = (i * 37) % 121 - 20;
    price = ((i * 7919) % 100000) / 100 - 100;
    day_of = (i * 13) % 1096;             # 2023-01-01 + up to 3 years
    seconds = (i * 86413 * 7) % (1096 * 86400);
    amount = ((i * 104729) % 2000000) / 100 - 5000;
    printf "%d,%s,%s,%s,%s,%s,%s,%s\n", i,
      (i % 17 == 0 ? "" : qty),
      (i % 13 == 0 ? "" : sprintf("%.2f", price)),
      (i % 11 == 0 ? "" : names[(i % 10) + 1]),
      (i % 7 == 0 ? "" : (i % 3 == 0 ? "true" : "false")),
      (i % 19 == 0 ? "" : strftime("%Y-%m-%d", 1672531200 + day_of * 86400, 1)),
      (i % 23 == 0 ? "" : strftime("%Y-%m-%d %H:%M:%S", 1672531200 + seconds, 1)),
      (i % 29 == 0 ? "" : sprintf("%.2f", amount));
  }
}' > "$work/data.csv"
schema='id:int64;qty:int32;price:float64;name:string;flag:bool;day:date;ts:timestamp;amount:decimal(12,2)'
cat > "$work/columns.json" << 'JSON'
{"id": "BIGINT", "qty": "INTEGER", "price": "DOUBLE", "name": "VARCHAR", "flag": "BOOLEAN", "day": "DATE", "ts": "TIMESTAMP", "amount": "DECIMAL(12,2)"}
JSON
cat > "$work/expressions.txt" << 'EXPRESSIONS'
id + qty * 2
qty % 7
qty * price
id / 8
-qty
qty > 10 AND flag
qty BETWEEN -5 AND 5 OR price IS NULL
NOT flag OR name IS NULL
name IN ('apple', 'Banana', '42')
qty NOT IN (1, 2, 3)
CASE WHEN qty > 50 THEN 'high' WHEN qty > 0 THEN 'low' ELSE 'none' END
CASE qty WHEN 1 THEN 'one' WHEN 2 THEN 'two' END
coalesce(name, 'missing')
coalesce(qty, id)
nullif(qty, 0)
lower(name) || '-' || upper(name)
concat(name, '#', qty)
length(name)
trim(name)
substr(name, 2, 3)
substr(name, -3)
replace(name, 'a', 'AA')
split_part(name, ' ', 2)
name LIKE '%an%'
name NOT LIKE '_i%'
name ILIKE 'b%'
regexp_matches(name, '^[A-Z]')
regexp_replace(name, '[aeiou]', '_', 'g')
regexp_replace(name, '[aeiou]', '_')
regexp_extract(name, '([a-z]+) ([a-z]+)', 2)
abs(qty)
round(price, 1)
floor(price)
ceil(price)
CAST(qty AS VARCHAR)
TRY_CAST(name AS BIGINT)
CAST(price AS BIGINT)
day < DATE '2024-06-01'
ts >= TIMESTAMP '2024-01-01 00:00:00'
day = CAST(ts AS DATE)
extract(year FROM day)
extract(month FROM ts)
extract(dow FROM day)
extract(isodow FROM ts)
extract(doy FROM day)
extract(week FROM day)
extract(hour FROM ts)
date_diff('day', day, ts)
date_diff('month', day, ts)
date_diff('year', ts, day)
date_diff('hour', ts, TIMESTAMP '2025-01-01 00:00:00')
CAST(date_add(day, INTERVAL 1 MONTH) AS DATE)
date_add(ts, INTERVAL '36 hours')
date_trunc('month', ts)
date_trunc('week', ts)
date_trunc('quarter', ts)
strftime(ts, '%Y/%m/%d %H')
amount + qty
amount * qty
amount - price
amount * 1.5
amount + 0.125
amount > 100.5
amount BETWEEN -10 AND 10.5
round(amount, 1)
round(amount)
floor(amount)
ceil(amount)
abs(amount)
CAST(amount AS BIGINT)
CAST(amount AS DECIMAL(9,1))
CAST(price AS DECIMAL(10,2))
CAST(qty AS DECIMAL(6,2))
CAST(amount AS VARCHAR)
amount / 3
coalesce(amount, 0)
CASE WHEN flag THEN amount ELSE 0.5 END
EXPRESSIONS
"$eval_binary" "$work/data.csv" "$schema" "$work/expressions.txt" > "$work/sluice.ndjson"
node "$here/duckdb_expressions.mjs" "$work/data.csv" "$work/columns.json" "$work/expressions.txt" \
  "$work/sluice.ndjson"
