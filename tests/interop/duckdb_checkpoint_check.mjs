// DuckDB as an independent reader of a Delta checkpoint sluice wrote (nested Parquet columns).
//
//   node tests/interop/duckdb_checkpoint_check.mjs CHECKPOINT.parquet EXPECTED.json
//
// EXPECTED.json (written by checkpoint_writer_test's InteropFixture from the same actions) lists
// the row count, the protocol versions, the metaData id, partition columns and configuration, every
// add's path, size and partitionValues (null values included) and every remove's path. DuckDB must
// report the checkpoint columns as the structs, maps and lists of Delta's checkpoint schema and
// return exactly these values.
// Exits 0 when everything matches, 1 with the differences otherwise, 2 on usage errors, 77 when
// @duckdb/node-api is not installed (the test is then reported as skipped).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';

function Fail(message, code = 1) {
  process.stderr.write(`duckdb_checkpoint_check: ${message}\n`);
  process.exit(code);
}

function LoadDuckDB() {
  const require = createRequire(new URL('./.node/', import.meta.url));
  try {
    return require('@duckdb/node-api');
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    Fail('@duckdb/node-api is not installed in tests/interop/.node (scripts/test.sh installs it)', 77);
  }
}

const args = process.argv.slice(2);
if (args.length !== 2) Fail('usage: duckdb_checkpoint_check.mjs CHECKPOINT.parquet EXPECTED.json', 2);
const [checkpoint, expectedPath] = args;
const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));

const duckdb = LoadDuckDB();
const instance = await duckdb.DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const file = `read_parquet('${checkpoint.replaceAll("'", "''")}', file_row_number = true)`;

async function Rows(sql) {
  const result = await connection.runAndReadAll(sql);
  return result.getRowObjectsJson();
}

let failures = 0;
function Check(what, actual, wanted) {
  if (isDeepStrictEqual(actual, wanted)) return;
  failures++;
  process.stderr.write(`duckdb_checkpoint_check: ${checkpoint}: ${what} differs\n` +
                       `  duckdb: ${JSON.stringify(actual)}\n  wanted: ${JSON.stringify(wanted)}\n`);
}

// A map as DuckDB returns it ([{key, value}, ...]) from a JSON object, keys in order.
function Entries(object) {
  return Object.keys(object).sort().map((key) => ({ key, value: object[key] }));
}

// The checkpoint schema's column types, as DuckDB maps the Parquet groups.
const map = 'MAP(VARCHAR, VARCHAR)';
const dv = 'STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, "offset" INTEGER, ' +
           'sizeInBytes INTEGER, cardinality BIGINT)';
const types = Object.fromEntries((await Rows(`DESCRIBE SELECT * FROM ${file}`))
                                     .map((row) => [row.column_name, row.column_type]));
Check('column types', types, {
  txn: 'STRUCT(appId VARCHAR, "version" BIGINT, lastUpdated BIGINT)',
  add: `STRUCT(path VARCHAR, partitionValues ${map}, size BIGINT, modificationTime BIGINT, ` +
       `dataChange BOOLEAN, tags ${map}, deletionVector ${dv}, stats VARCHAR)`,
  remove: 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, ' +
          `extendedFileMetadata BOOLEAN, partitionValues ${map}, size BIGINT, deletionVector ${dv})`,
  metaData: 'STRUCT(id VARCHAR, "name" VARCHAR, description VARCHAR, ' +
            `format STRUCT(provider VARCHAR, "options" ${map}), schemaString VARCHAR, ` +
            `partitionColumns VARCHAR[], "configuration" ${map}, createdTime BIGINT)`,
  protocol: 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, ' +
            'readerFeatures VARCHAR[], writerFeatures VARCHAR[])',
  file_row_number: 'BIGINT',
});

const [count] = await Rows(`SELECT count(*) AS n FROM ${file}`);
Check('row count', Number(count.n), expected.rows);

// Every row holds exactly one action.
const [multi] = await Rows(
    `SELECT count(*) AS n FROM ${file} WHERE (txn IS NOT NULL)::INT + (add IS NOT NULL)::INT + ` +
    `(remove IS NOT NULL)::INT + ("metaData" IS NOT NULL)::INT + (protocol IS NOT NULL)::INT <> 1`);
Check('rows without exactly one action', Number(multi.n), 0);

const protocol = await Rows(
    `SELECT protocol.minReaderVersion AS r, protocol.minWriterVersion AS w FROM ${file} ` +
    'WHERE protocol IS NOT NULL');
Check('protocol', protocol.map((row) => ({ minReaderVersion: Number(row.r),
                                           minWriterVersion: Number(row.w) })),
      [expected.protocol]);

const metadata = await Rows(
    `SELECT "metaData".id AS id, "metaData".partitionColumns AS columns, ` +
    `"metaData"."configuration" AS configuration FROM ${file} WHERE "metaData" IS NOT NULL`);
Check('metaData', metadata, [{ id: expected.metaData.id,
                               columns: expected.metaData.partitionColumns,
                               configuration: Entries(expected.metaData.configuration) }]);

const adds = await Rows(
    `SELECT add.path AS path, add.size AS size, add.partitionValues AS "partitionValues" ` +
    `FROM ${file} WHERE add IS NOT NULL ORDER BY file_row_number`);
Check('adds', adds.map((row) => ({ path: row.path, size: String(row.size),
                                   partitionValues: row.partitionValues })),
      expected.adds.map((add) => ({ path: add.path, size: String(add.size),
                                    partitionValues: Entries(add.partitionValues) })));

const removes = await Rows(
    `SELECT remove.path AS path FROM ${file} WHERE remove IS NOT NULL ORDER BY file_row_number`);
Check('removes', removes.map((row) => row.path), expected.removes);

if (failures > 0) process.exit(1);
console.log(`duckdb_checkpoint_check: ${checkpoint}: ${expected.rows} rows, ` +
            `${expected.adds.length} adds match`);
