// The DuckDB side of bench/gold_benchmark.sh: the retail sales fact as SQL over the silver orders'
// and the gold dimensions' Parquet files — the customer version valid at each order's time (an
// ASOF join; before a customer's first version, the first), the product, the yyyymmdd date key
// inside the calendar's range, 0 for a missing member — written as Parquet, and the grain
// (order_id) checked unique. DuckDB keeps no transaction log or ledger.
//
//   node bench/duckdb_gold.mjs LAKE OUT_DIR THREADS
// Prints "ROWS SUM_CUSTOMER_KEY SUM_PRODUCT_KEY SUM_DATE_KEY SECONDS".
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const [lake, out, threads] = process.argv.slice(2);
if (!lake || !out || !threads) {
  process.stderr.write('usage: node bench/duckdb_gold.mjs LAKE OUT_DIR THREADS\n');
  process.exit(2);
}
const require = createRequire(new URL('./.node/', import.meta.url));
const duckdb = require('@duckdb/node-api');
const instance = await duckdb.DuckDBInstance.create(':memory:', { threads: String(threads) });
const connection = await instance.connect();
const start = performance.now();
const repeated = await connection.run(`
  SELECT count(*) FROM (SELECT order_id FROM read_parquet('${lake}/silver/orders/**/*.parquet')
                        GROUP BY order_id HAVING count(*) > 1)`);
if (Number((await repeated.getRows())[0][0]) !== 0) {
  process.stderr.write('grain violation\n');
  process.exit(1);
}
await connection.run(`
  COPY (
    WITH o AS (SELECT * FROM read_parquet('${lake}/silver/orders/**/*.parquet')),
         c AS (SELECT customer_key, customer_id, valid_from
               FROM read_parquet('${lake}/gold/dim_customer/**/*.parquet') WHERE customer_key <> 0),
         first AS (SELECT customer_id, arg_min(customer_key, valid_from) AS customer_key
                   FROM c GROUP BY customer_id),
         p AS (SELECT product_key, product_id
               FROM read_parquet('${lake}/gold/dim_product/**/*.parquet') WHERE product_key <> 0)
    SELECT coalesce(a.customer_key, f.customer_key, 0) AS customer_key,
           coalesce(p.product_key, 0) AS product_key,
           CASE WHEN o.order_date BETWEEN DATE '2026-01-01' AND DATE '2027-12-31'
                THEN CAST(strftime(o.order_date, '%Y%m%d') AS INTEGER) ELSE 0 END AS date_key,
           o.order_id, o.order_ts, o.status, o.channel, o.quantity, o.unit_price, o.amount
    FROM o
    ASOF LEFT JOIN c a ON a.customer_id = o.customer_id AND o.order_ts >= a.valid_from
    LEFT JOIN first f ON f.customer_id = o.customer_id
    LEFT JOIN p ON p.product_id = o.product_id)
  TO '${out}/fact.parquet' (FORMAT parquet, COMPRESSION snappy)`);
const seconds = (performance.now() - start) / 1000;
const sums = await connection.run(`
  SELECT count(*), sum(customer_key), sum(product_key), sum(date_key)
  FROM read_parquet('${out}/fact.parquet')`);
const [rows, customers, products, dates] = (await sums.getRows())[0];
process.stdout.write(`${rows} ${customers} ${products} ${dates} ${seconds.toFixed(6)}\n`);
