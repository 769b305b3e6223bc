// The DuckDB side of bench/silver_benchmark.sh: the retail silver step for orders as SQL over the
// bronze table's Parquet files — trim and empty → null, lower-case status, amount and order_date,
// a default channel, the 'test' filter, one row per order_id (the latest by order_ts), the checks
// (known status, quantity 1..50, an order id) splitting good rows from quarantined ones, and the
// customer id pseudonymized (DuckDB has no HMAC: SHA-256 of key || value, the same hashing work).
// Both outputs are written as Parquet. DuckDB keeps no transaction log, ledger or check history.
//
//   node bench/duckdb_silver.mjs 'BRONZE/**/*.parquet' OUT_DIR THREADS
// Prints "ROWS QUARANTINED SECONDS".
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const [glob, out, threads] = process.argv.slice(2);
if (!glob || !out || !threads) {
  process.stderr.write("usage: node bench/duckdb_silver.mjs 'BRONZE/**/*.parquet' OUT_DIR THREADS\n");
  process.exit(2);
}
const require = createRequire(new URL('./.node/', import.meta.url));
const duckdb = require('@duckdb/node-api');
const instance = await duckdb.DuckDBInstance.create(':memory:', { threads: String(threads) });
const connection = await instance.connect();
const passes = `coalesce(status IN ('placed', 'shipped', 'delivered', 'cancelled', 'returned'), true)
  AND coalesce(quantity BETWEEN 1 AND 50, true) AND order_id IS NOT NULL`;
const start = performance.now();
await connection.run(`
  CREATE TEMP TABLE cleaned AS
  WITH source AS (
    SELECT order_id, order_ts, customer_id, product_id, quantity, unit_price,
           nullif(trim(currency), '') AS currency,
           coalesce(nullif(trim(channel), ''), 'unknown') AS channel,
           lower(nullif(trim(status), '')) AS status,
           quantity * unit_price AS amount,
           CAST(order_ts AS DATE) AS order_date
    FROM read_parquet('${glob}'))
  SELECT * FROM source WHERE status <> 'test'
  QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY order_ts DESC) = 1`);
const written = await connection.run(`
  COPY (SELECT * REPLACE (sha256('bench-masking-key' || customer_id) AS customer_id)
        FROM cleaned WHERE ${passes})
  TO '${out}/silver.parquet' (FORMAT parquet, COMPRESSION snappy)`);
const quarantined = await connection.run(`
  COPY (SELECT * FROM cleaned WHERE NOT (${passes}))
  TO '${out}/quarantine.parquet' (FORMAT parquet, COMPRESSION snappy)`);
const seconds = (performance.now() - start) / 1000;
const rows = (await written.getRows())[0]?.[0] ?? 0;
const rejects = (await quarantined.getRows())[0]?.[0] ?? 0;
process.stdout.write(`${rows} ${rejects} ${seconds.toFixed(6)}\n`);
