// The DuckDB side of bench/parquet_benchmark.sh: writes sales orders as Parquet and scans Parquet
// files with DuckDB, the peer sluice is measured against.
//
//   node bench/duckdb_parquet.mjs convert IN csv|ndjson OUT snappy|zstd THREADS
//   node bench/duckdb_parquet.mjs scan FILE THREADS
//   node bench/duckdb_parquet.mjs count FILE...
//   node bench/duckdb_parquet.mjs --baseline
//
// convert: COPY (SELECT * FROM read_csv/read_json(IN, columns = {...})) TO OUT (FORMAT parquet,
//   COMPRESSION ...), reading with the same types as the sluice --schema flag in
//   bench/parquet_benchmark.sh. Prints "ROWS SECONDS": the rows COPY wrote and the wall time of the
//   query alone (Node start-up, loading DuckDB and creating the instance are not included).
// scan: SELECT status, count(*), sum(quantity * unit_price) FROM read_parquet(FILE) GROUP BY
//   status ORDER BY status. Prints "ROWS SECONDS" (ROWS is the total of the counts, SECONDS the
//   query alone), then one line per status, "status count sum", with the sum (a DECIMAL(38,2)) as
//   exact text with its 2 decimals and a null status as "<null>", as bench/parquet_scan does.
// count: SELECT count(*) FROM read_parquet(FILE) for each FILE; prints one count per line. Used to
//   check the outputs of both tools; not timed.
// --baseline starts DuckDB, runs `SELECT 1` and prints "0 SECONDS": measured under /usr/bin/time,
//   it shows the memory and start-up time of Node plus DuckDB before any data is read.
//
// THREADS is DuckDB's `threads` setting, given when the instance is created. @duckdb/node-api is
// installed into bench/.node by the benchmark scripts; it is resolved from there first, then from
// the usual Node search path.

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

// The same types as the sluice --schema flag in bench/parquet_benchmark.sh (and kSchema in
// bench/duckdb_read.mjs).
const kSchema = [
  ['order_id', 'BIGINT'],
  ['customer_id', 'BIGINT'],
  ['email', 'VARCHAR'],
  ['phone', 'VARCHAR'],
  ['order_ts', 'TIMESTAMPTZ'],
  ['product_id', 'VARCHAR'],
  ['quantity', 'BIGINT'],
  ['unit_price', 'DECIMAL(18,2)'],
  ['status', 'VARCHAR'],
  ['country', 'VARCHAR'],
];

const kUsage =
  'usage: node bench/duckdb_parquet.mjs convert IN csv|ndjson OUT snappy|zstd THREADS\n' +
  '       node bench/duckdb_parquet.mjs scan FILE THREADS\n' +
  '       node bench/duckdb_parquet.mjs count FILE...\n' +
  '       node bench/duckdb_parquet.mjs --baseline';

function Fail(message) {
  process.stderr.write(`duckdb_parquet: ${message}\n`);
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

function SqlString(text) {
  return `'${text.replaceAll("'", "''")}'`;
}

function ParseThreads(text) {
  const threads = Number.parseInt(text ?? '', 10);
  if (!(threads >= 1)) Fail(`THREADS must be a positive integer\n${kUsage}`);
  return threads;
}

async function Connect(threads) {
  const { DuckDBInstance } = await LoadDuckDB();
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  return instance.connect();
}

async function Timed(connection, sql) {
  const start = performance.now();
  const reader = await connection.runAndReadAll(sql);
  return [reader, (performance.now() - start) / 1000];
}

function SourceSql(file, format) {
  const columns = kSchema.map(([name, type]) => `${SqlString(name)}: ${SqlString(type)}`);
  const options = [format === 'csv' ? 'header = true' : "format = 'newline_delimited'"];
  options.push(`columns = {${columns.join(', ')}}`);
  const reader = format === 'csv' ? 'read_csv' : 'read_json';
  return `${reader}(${SqlString(file)}, ${options.join(', ')})`;
}

async function Convert([input, format, output, codec, threads_text]) {
  if (!input || !['csv', 'ndjson'].includes(format) || !output || !['snappy', 'zstd'].includes(codec)) {
    Fail(kUsage);
  }
  const connection = await Connect(ParseThreads(threads_text));
  const sql =
    `COPY (SELECT * FROM ${SourceSql(input, format)}) TO ${SqlString(output)} ` +
    `(FORMAT parquet, COMPRESSION ${codec})`;
  const [reader, seconds] = await Timed(connection, sql);
  const [[rows]] = reader.getRows();  // COPY returns one row: the number of rows written
  process.stdout.write(`${BigInt(rows)} ${seconds.toFixed(4)}\n`);
}

async function Scan([file, threads_text]) {
  if (!file) Fail(kUsage);
  const connection = await Connect(ParseThreads(threads_text));
  // The sum is cast to text inside the query, so the DECIMAL(38,2) is printed exactly, with its 2
  // decimals, and converting it is part of the query's time, not of Node's.
  const sql =
    'SELECT status, count(*), CAST(sum(quantity * unit_price) AS VARCHAR) ' +
    `FROM read_parquet(${SqlString(file)}) GROUP BY status ORDER BY status`;
  const [reader, seconds] = await Timed(connection, sql);
  let rows = 0n;
  const lines = [];
  for (const [status, count, sum] of reader.getRows()) {
    rows += BigInt(count);
    lines.push(`${status ?? '<null>'} ${BigInt(count)} ${sum ?? 'NULL'}\n`);
  }
  process.stdout.write(`${rows} ${seconds.toFixed(4)}\n${lines.join('')}`);
}

async function Count(files) {
  if (files.length === 0) Fail(kUsage);
  const connection = await Connect(1);
  for (const file of files) {
    const reader = await connection.runAndReadAll(
      `SELECT count(*) FROM read_parquet(${SqlString(file)})`);
    const [[rows]] = reader.getRows();
    process.stdout.write(`${BigInt(rows)}\n`);
  }
}

async function Baseline() {
  const connection = await Connect(1);
  const [, seconds] = await Timed(connection, 'SELECT 1');
  process.stdout.write(`0 ${seconds.toFixed(4)}\n`);
}

async function Main() {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'convert':
      return Convert(args);
    case 'scan':
      return Scan(args);
    case 'count':
      return Count(args);
    case '--baseline':
      return Baseline();
    default:
      return Fail(kUsage);
  }
}

await Main();
