// The DuckDB side of bench/pipeline_benchmark.sh: the same bronze ingestion as `sluice run` on the
// retail orders drops, as one DuckDB statement — read every CSV with the declared types, keep bad
// rows aside (store_rejects), add the audit columns and write Parquet partitioned by ingest date.
// DuckDB keeps no transaction log or file ledger: this is the work without the guarantees.
//
//   node bench/duckdb_ingest.mjs GLOB OUT_DIR THREADS
// Prints "ROWS REJECTS NULL_TIMESTAMPS SECONDS": rows written, rows DuckDB rejected, rows written
// with a null order_ts (DuckDB turns an impossible timestamp such as 31/11/2026 25:00 into NULL
// instead of rejecting it; sluice quarantines it), and the COPY's wall time (start-up excluded).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const [glob, out, threads] = process.argv.slice(2);
if (!glob || !out || !threads) {
  process.stderr.write('usage: node bench/duckdb_ingest.mjs GLOB OUT_DIR THREADS\n');
  process.exit(2);
}
const require = createRequire(new URL('./.node/', import.meta.url));
const duckdb = require('@duckdb/node-api');
const instance = await duckdb.DuckDBInstance.create(':memory:', { threads: String(threads) });
const connection = await instance.connect();
const columns = `{'order_id': 'BIGINT', 'order_ts': 'TIMESTAMPTZ', 'customer_id': 'BIGINT',
  'product_id': 'BIGINT', 'quantity': 'INTEGER', 'unit_price': 'DECIMAL(10,2)',
  'currency': 'VARCHAR', 'channel': 'VARCHAR', 'status': 'VARCHAR'}`;
const start = performance.now();
const result = await connection.run(`
  COPY (SELECT *, now() AS _sluice_ingested_at, 'orders' AS _sluice_source,
               filename AS _sluice_file, 'bench' AS _sluice_batch_id,
               current_date AS _sluice_ingest_date
        FROM read_csv('${glob}', header = true, columns = ${columns}, filename = true,
                      store_rejects = true))
  TO '${out}' (FORMAT parquet, PARTITION_BY (_sluice_ingest_date), COMPRESSION snappy)`);
const rows = (await result.getRows())[0]?.[0] ?? 0;
const seconds = (performance.now() - start) / 1000;
const rejects = (await (await connection.run('SELECT count(*) FROM reject_errors')).getRows())[0][0];
const nulls = (await (await connection.run(
    `SELECT count(*) FROM read_parquet('${out}/**/*.parquet') WHERE order_ts IS NULL`)).getRows())[0][0];
process.stdout.write(`${rows} ${rejects} ${nulls} ${seconds.toFixed(6)}\n`);
