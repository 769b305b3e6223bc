// The DuckDB side of bench/delta_benchmark.sh: the same change as sluice's DELETE/MERGE, done the
// way a lake without a transaction log must do it — rewrite the whole dataset.
//
//   node bench/duckdb_rewrite.mjs delete IN.parquet LOW HIGH OUT.parquet THREADS
//   node bench/duckdb_rewrite.mjs merge IN.parquet CHANGES.csv OUT.parquet THREADS
//
// delete: COPY (SELECT * FROM IN WHERE NOT (order_id >= LOW AND order_id < HIGH)) TO OUT.
// merge:  COPY (SELECT * FROM IN ANTI JOIN changes USING (order_id) UNION ALL changes) TO OUT,
//         reading CHANGES.csv with the benchmark's column types.
// Prints "ROWS SECONDS": rows written and the wall time of the query alone.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const kColumns = "{'order_id': 'BIGINT', 'customer_id': 'BIGINT', 'email': 'VARCHAR', " +
  "'phone': 'VARCHAR', 'order_ts': 'TIMESTAMPTZ', 'product_id': 'VARCHAR', " +
  "'quantity': 'BIGINT', 'unit_price': 'DECIMAL(18,2)', 'status': 'VARCHAR', " +
  "'country': 'VARCHAR'}";

function Fail(message) {
  process.stderr.write(`duckdb_rewrite: ${message}\n`);
  process.exit(2);
}

async function LoadDuckDB() {
  const require = createRequire(new URL('./.node/', import.meta.url));
  try {
    return require('@duckdb/node-api');
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    return import('@duckdb/node-api');
  }
}

const Quote = (text) => `'${text.replaceAll("'", "''")}'`;
const [mode, input, ...rest] = process.argv.slice(2);
let query;
let threads;
if (mode === 'delete' && rest.length === 4) {
  const [low, high, output, threadText] = rest;
  threads = threadText;
  query = `COPY (SELECT * FROM read_parquet(${Quote(input)}) WHERE NOT (order_id >= ${Number(low)} ` +
          `AND order_id < ${Number(high)})) TO ${Quote(output)} (FORMAT parquet, COMPRESSION snappy)`;
} else if (mode === 'merge' && rest.length === 3) {
  const [changes, output, threadText] = rest;
  threads = threadText;
  const source = `read_csv(${Quote(changes)}, header = true, columns = ${kColumns})`;
  query = `COPY (SELECT * FROM read_parquet(${Quote(input)}) ANTI JOIN ${source} c USING ` +
          `(order_id) UNION ALL SELECT * FROM ${source}) TO ${Quote(output)} ` +
          `(FORMAT parquet, COMPRESSION snappy)`;
} else {
  Fail('usage: duckdb_rewrite.mjs delete IN LOW HIGH OUT THREADS | merge IN CHANGES OUT THREADS');
}
const { DuckDBInstance } = await LoadDuckDB();
const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const connection = await instance.connect();
const start = performance.now();
const result = await connection.runAndReadAll(query);
const seconds = (performance.now() - start) / 1000;
console.log(`${result.getRows()[0][0]} ${seconds.toFixed(6)}`);
