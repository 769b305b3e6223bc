// DuckDB as an independent reader of a Parquet file or a Delta table sluice wrote.
//
//   node tests/interop/duckdb_check.mjs PARQUET|TABLE_DIR EXPECTED.ndjson TYPES
//
// For a Delta table (a directory with _delta_log/) this script replays the JSON commits itself —
// adds minus removes, ignoring checkpoints — and has DuckDB read exactly the live data files
// (Hive-style partition folders give the partition columns); rows are then compared as sorted
// multisets, since a table has no row order.
// Reads PARQUET with DuckDB, renders every row in sluice's NDJSON conventions (exact decimals,
// base64 binary, ISO dates/times/timestamps with Z, JSON columns embedded) and compares it line by
// line with EXPECTED.ndjson, which `sluice cat SOURCE --to ndjson` produced from the same source.
// TYPES is the comma-separated list of column types DuckDB must report (DESCRIBE), '|' between
// them because DECIMAL(p,s) contains a comma.
// Exits 0 when everything matches, 1 with the first differences otherwise, 2 on usage errors.
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Render } from './duckdb_render.mjs';

function Fail(message, code = 1) {
  process.stderr.write(`duckdb_check: ${message}\n`);
  process.exit(code);
}

async function LoadDuckDB() {
  const require = createRequire(new URL('./.node/', import.meta.url));
  try {
    return require('@duckdb/node-api');
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    Fail('@duckdb/node-api is not installed in tests/interop/.node (scripts/test.sh installs it)', 2);
  }
}

const args = process.argv.slice(2);
if (args.length !== 3) Fail('usage: duckdb_check.mjs PARQUET EXPECTED.ndjson TYPES', 2);
const [parquet, expectedPath, typeList] = args;

const duckdb = await LoadDuckDB();
const instance = await duckdb.DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const Quote = (text) => `'${text.replaceAll("'", "''")}'`;
const isTable = existsSync(join(parquet, '_delta_log'));
let source = `read_parquet(${Quote(parquet)})`;
let select = '*';
if (isTable) {
  // Independent log replay: every NNNNNNNNNNNNNNNNNNNN.json in version order.
  const log = join(parquet, '_delta_log');
  const commits = readdirSync(log).filter((name) => /^\d{20}\.json$/.test(name)).sort();
  commits.forEach((name, index) => {
    if (Number(name.slice(0, 20)) !== index) Fail(`${log}: version ${index} is missing`);
  });
  const live = new Map();
  let schema = null;
  for (const name of commits) {
    for (const line of readFileSync(join(log, name), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const action = JSON.parse(line);
      if (action.add) live.set(decodeURIComponent(action.add.path), action.add);
      if (action.remove) live.delete(decodeURIComponent(action.remove.path));
      if (action.metaData) schema = JSON.parse(action.metaData.schemaString);
    }
  }
  if (schema === null) Fail(`${log}: no metaData action`);
  const files = [...live.keys()].map((path) => Quote(join(parquet, path)));
  if (files.length === 0) Fail(`${parquet}: the table has no live files to compare`);
  source = `read_parquet([${files.join(', ')}], hive_partitioning = true, union_by_name = true)`;
  select = schema.fields.map((field) => `"${field.name.replaceAll('"', '""')}"`).join(', ');
}

// Types.
const described = await connection.runAndReadAll(`DESCRIBE SELECT ${select} FROM ${source}`);
const types = described.getRowObjectsJson().map((row) => row.column_type);
const expectedTypes = typeList.split('|');
if (JSON.stringify(types) !== JSON.stringify(expectedTypes)) {
  Fail(`types differ:\n  duckdb: ${types.join(' | ')}\n  wanted: ${expectedTypes.join(' | ')}`);
}

const result = await connection.runAndReadAll(`SELECT ${select} FROM ${source}`);
const names = result.columnNames();
const rows = result.getRows();
const lines = rows.map((row) =>
  `{${row.map((value, i) => `${JSON.stringify(names[i])}:${Render(value, types[i])}`).join(',')}}`);
const expected = readFileSync(expectedPath, 'utf8').split('\n').filter((line) => line.length > 0);
if (isTable) {
  lines.sort();
  expected.sort();
}

let differences = 0;
if (lines.length !== expected.length) {
  process.stderr.write(`duckdb_check: ${parquet}: DuckDB read ${lines.length} rows, expected ${expected.length}\n`);
  differences++;
}
for (let i = 0; i < Math.min(lines.length, expected.length) && differences < 5; i++) {
  if (lines[i] !== expected[i]) {
    process.stderr.write(`duckdb_check: ${parquet}: row ${i + 1} differs\n  duckdb: ${lines[i]}\n  sluice: ${expected[i]}\n`);
    differences++;
  }
}
if (differences > 0) process.exit(1);

console.log(`duckdb_check: ${parquet}: ${lines.length} rows and ${types.length} column types match`);
