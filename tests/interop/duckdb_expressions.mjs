// DuckDB computes the same expressions over the same CSV file as sluice's expression engine did,
// and every value must agree.
//
//   node tests/interop/duckdb_expressions.mjs DATA.csv COLUMNS.json EXPRESSIONS.txt SLUICE.ndjson
//
// COLUMNS.json: DuckDB's read_csv columns ({"id": "BIGINT", ...}). SLUICE.ndjson: one line per row,
// {"e0": …, "e1": …} from expression_eval. Values are compared after rendering DuckDB's in sluice's
// NDJSON conventions (duckdb_render.mjs); doubles within 1e-12 relative. Exits 0 when all agree,
// 1 listing the first differences, 2 on usage errors.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { Render } from './duckdb_render.mjs';

function Fail(message, code = 1) {
  process.stderr.write(`duckdb_expressions: ${message}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
if (args.length !== 4) Fail('usage: duckdb_expressions.mjs DATA.csv COLUMNS.json EXPRESSIONS.txt SLUICE.ndjson', 2);
const [data, columnsPath, expressionsPath, sluicePath] = args;
const require = createRequire(new URL('./.node/', import.meta.url));
let duckdb;
try {
  duckdb = require('@duckdb/node-api');
} catch (error) {
  Fail('@duckdb/node-api is not installed in tests/interop/.node (scripts/test.sh installs it)', 2);
}
const instance = await duckdb.DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run("SET TimeZone = 'UTC'");
const Quote = (text) => `'${text.replaceAll("'", "''")}'`;
const columns = JSON.parse(readFileSync(columnsPath, 'utf8'));
const columnList = Object.entries(columns).map(([name, type]) => `${Quote(name)}: ${Quote(type)}`);
const source = `read_csv(${Quote(data)}, header = true, columns = {${columnList.join(', ')}})`;
const expressions = readFileSync(expressionsPath, 'utf8').split('\n').filter((line) => line.length > 0);
const sluice = readFileSync(sluicePath, 'utf8').split('\n').filter((line) => line.length > 0)
  .map((line) => JSON.parse(line));

function Same(a, b, type) {
  if (type === 'DOUBLE' && typeof a === 'number' && typeof b === 'number') {
    return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

let failures = 0;
for (const [index, expression] of expressions.entries()) {
  const sql = `SELECT (${expression}) AS e FROM ${source}`;
  let result;
  let type;
  try {
    type = (await connection.runAndReadAll(`DESCRIBE ${sql}`)).getRowObjectsJson()[0].column_type;
    result = await connection.runAndReadAll(sql);
  } catch (error) {
    process.stderr.write(`duckdb_expressions: DuckDB cannot run ${expression}: ${error.message}\n`);
    failures++;
    continue;
  }
  const rows = result.getRows();
  if (rows.length !== sluice.length) {
    process.stderr.write(`duckdb_expressions: ${expression}: DuckDB gave ${rows.length} rows, sluice ${sluice.length}\n`);
    failures++;
    continue;
  }
  let shown = 0;
  for (let row = 0; row < rows.length; row++) {
    const theirs = JSON.parse(Render(rows[row][0], type));
    const ours = sluice[row][`e${index}`];
    if (!Same(theirs, ours, type)) {
      if (shown++ < 3) {
        process.stderr.write(`duckdb_expressions: ${expression} (${type}), row ${row + 1}: ` +
                             `duckdb ${JSON.stringify(theirs)}, sluice ${JSON.stringify(ours)}\n`);
      }
    }
  }
  if (shown > 0) failures++;
}
if (failures > 0) Fail(`${failures} of ${expressions.length} expressions differ`);
console.log(`duckdb_expressions: ${expressions.length} expressions agree on ${sluice.length} rows`);
