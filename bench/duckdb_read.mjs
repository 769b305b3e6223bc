// Reads a sales orders file with DuckDB, the peer sluice is measured against.
//
//   node bench/duckdb_read.mjs FILE csv|ndjson inferred|schema THREADS [--describe]
//   node bench/duckdb_read.mjs --baseline
//
// Prints one line, "ROWS SECONDS": the number of rows read and the wall time of the query alone
// (Node start-up, loading DuckDB and creating the instance are not included). The query counts
// every column, not just rows, so DuckDB has to parse and convert every value, as `sluice count`
// does. All columns of the generated data are non-null, so each column count must equal the row
// count; a difference means values were lost and the script exits non-zero.
// With --describe it prints the column types DuckDB reads (inferred or given) instead.
// --baseline starts DuckDB, runs `SELECT 1` and prints "0 SECONDS": measured under /usr/bin/time,
// it shows the memory and start-up time of Node plus DuckDB before any data is read.
//
// @duckdb/node-api is installed into bench/.node by bench/read_benchmark.sh; it is resolved from
// there first, then from the usual Node search path.

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

// The schema given in "schema" mode: the same types as the sluice --schema flag in
// bench/read_benchmark.sh.
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
  'usage: node bench/duckdb_read.mjs FILE csv|ndjson inferred|schema THREADS [--describe]\n' +
  '       node bench/duckdb_read.mjs --baseline';

function Fail(message) {
  process.stderr.write(`duckdb_read: ${message}\n`);
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

function SourceSql(file, format, mode) {
  const options = [];
  if (format === 'csv') {
    options.push('header = true');
  } else {
    options.push("format = 'newline_delimited'");
  }
  if (mode === 'schema') {
    const columns = kSchema.map(([name, type]) => `${SqlString(name)}: ${SqlString(type)}`);
    options.push(`columns = {${columns.join(', ')}}`);
  }
  const reader = format === 'csv' ? 'read_csv' : 'read_json';
  return `${reader}(${SqlString(file)}, ${options.join(', ')})`;
}

async function Baseline() {
  const { DuckDBInstance } = await LoadDuckDB();
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  const start = performance.now();
  await connection.runAndReadAll('SELECT 1');
  process.stdout.write(`0 ${((performance.now() - start) / 1000).toFixed(4)}\n`);
}

async function Main() {
  const args = process.argv.slice(2);
  if (args.length === 1 && args[0] === '--baseline') return Baseline();
  const describe = args.includes('--describe');
  const [file, format, mode, threads_text] = args.filter((arg) => arg !== '--describe');
  if (!file || !['csv', 'ndjson'].includes(format) || !['inferred', 'schema'].includes(mode)) {
    Fail(kUsage);
  }
  const threads = Number.parseInt(threads_text ?? '', 10);
  if (!(threads >= 1)) Fail(`THREADS must be a positive integer\n${kUsage}`);

  const { DuckDBInstance } = await LoadDuckDB();
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await instance.connect();
  const source = SourceSql(file, format, mode);

  if (describe) {
    const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    for (const row of reader.getRows()) process.stdout.write(`${row[0]} ${row[1]}\n`);
    return;
  }

  const counts = kSchema.map(([name]) => `count("${name}")`);
  const sql = `SELECT count(*), ${counts.join(', ')} FROM ${source}`;
  const start = performance.now();
  const reader = await connection.runAndReadAll(sql);
  const seconds = (performance.now() - start) / 1000;

  const [row] = reader.getRows();
  const rows = BigInt(row[0]);
  kSchema.forEach(([name], index) => {
    const non_null = BigInt(row[index + 1]);
    if (non_null !== rows) {
      process.stderr.write(`duckdb_read: column ${name} has ${non_null} values in ${rows} rows\n`);
      process.exitCode = 1;
    }
  });
  process.stdout.write(`${rows} ${seconds.toFixed(4)}\n`);
}

await Main();
