// DuckDB as an independent reader of a Parquet file or a Delta table sluice wrote.
//
//   node tests/interop/duckdb_check.mjs PARQUET|TABLE_DIR EXPECTED.ndjson TYPES
//
// For a Delta table (a directory with _delta_log/) this script replays the JSON commits itself —
// adds minus removes by logical file (path, deletion vector id), ignoring checkpoints — and has
// DuckDB read exactly the live data files (Hive-style partition folders give the partition
// columns); rows a file's deletion vector marks deleted (decoded here from the Delta spec: Z85,
// the DV file layout, the portable Roaring format) are dropped by DuckDB's file_row_number. Rows
// are then compared as sorted multisets, since a table has no row order.
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

// --- Deletion vectors, decoded independently of sluice (PROTOCOL.md, RoaringFormatSpec) ---
const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
function Z85Decode(text) {
  const out = Buffer.alloc(text.length / 5 * 4);
  for (let i = 0; i < text.length; i += 5) {
    let value = 0;
    for (let j = i; j < i + 5; j++) value = value * 85 + Z85.indexOf(text[j]);
    out.writeUInt32BE(value, i / 5 * 4);
  }
  return out;
}
// A 32-bit portable Roaring bitmap at `offset`: its values (added to `high`) and its end.
function ReadRoaring32(buffer, offset, high, into) {
  const cookie = buffer.readUInt32LE(offset);
  let position = offset + 4;
  let size;
  let runFlags = null;
  if ((cookie & 0xffff) === 12347) {
    size = (cookie >>> 16) + 1;
    runFlags = buffer.subarray(position, position + Math.floor((size + 7) / 8));
    position += runFlags.length;
  } else if (cookie === 12346) {
    size = buffer.readUInt32LE(position);
    position += 4;
  } else {
    Fail(`not a portable Roaring bitmap (cookie ${cookie})`);
  }
  const headers = [];
  for (let i = 0; i < size; i++, position += 4) {
    headers.push([buffer.readUInt16LE(position), buffer.readUInt16LE(position + 2) + 1]);
  }
  if (runFlags === null || size >= 4) position += 4 * size;  // offset header
  for (let i = 0; i < size; i++) {
    const base = high + headers[i][0] * 65536;
    if (runFlags !== null && (runFlags[i >> 3] >> (i & 7)) & 1) {
      const runs = buffer.readUInt16LE(position);
      position += 2;
      for (let r = 0; r < runs; r++, position += 4) {
        const start = buffer.readUInt16LE(position);
        const length = buffer.readUInt16LE(position + 2);
        for (let v = start; v <= start + length; v++) into.add(base + v);
      }
    } else if (headers[i][1] <= 4096) {
      for (let c = 0; c < headers[i][1]; c++, position += 2) into.add(base + buffer.readUInt16LE(position));
    } else {
      for (let bit = 0; bit < 65536; bit++) {
        if ((buffer[position + (bit >> 3)] >> (bit & 7)) & 1) into.add(base + bit);
      }
      position += 8192;
    }
  }
  return position;
}
function ReadDeletionVector(table, dv) {
  let bytes;
  if (dv.storageType === 'i') {
    bytes = Z85Decode(dv.pathOrInlineDv).subarray(0, dv.sizeInBytes);
  } else {
    let file;
    if (dv.storageType === 'u') {
      const text = dv.pathOrInlineDv;
      const hex = Z85Decode(text.slice(-20)).toString('hex');
      const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      const prefix = text.slice(0, -20);
      file = join(table, prefix, `deletion_vector_${uuid}.bin`);
    } else {
      file = decodeURIComponent(dv.pathOrInlineDv).replace(/^file:(\/\/)?/, '');
    }
    const content = readFileSync(file);
    const offset = dv.offset ?? 0;
    if (content.readUInt32BE(offset) !== dv.sizeInBytes) Fail(`${file}: size at ${offset} differs`);
    bytes = content.subarray(offset + 4, offset + 4 + dv.sizeInBytes);
  }
  if (bytes.readUInt32LE(0) !== 1681511377) Fail('deletion vector: wrong magic number');
  const buckets = Number(bytes.readBigUInt64LE(4));
  const rows = new Set();
  let position = 12;
  for (let b = 0; b < buckets; b++) {
    const key = bytes.readUInt32LE(position);
    position = ReadRoaring32(bytes, position + 4, key * 2 ** 32, rows);
  }
  if (rows.size !== dv.cardinality) Fail(`deletion vector holds ${rows.size} rows, the log says ${dv.cardinality}`);
  return rows;
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
const deleted = new Map();  // data file → row numbers its deletion vector deletes
if (isTable) {
  // Independent log replay: every NNNNNNNNNNNNNNNNNNNN.json in version order.
  const log = join(parquet, '_delta_log');
  const commits = readdirSync(log).filter((name) => /^\d{20}\.json$/.test(name)).sort();
  commits.forEach((name, index) => {
    if (Number(name.slice(0, 20)) !== index) Fail(`${log}: version ${index} is missing`);
  });
  // Logical files by (path, deletion vector unique id), as the protocol reconciles them.
  const Key = (action) => {
    const dv = action.deletionVector;
    const id = dv ? `${dv.storageType}${dv.pathOrInlineDv}${dv.offset !== undefined ? `@${dv.offset}` : ''}` : '';
    return `${decodeURIComponent(action.path)}\u0000${id}`;
  };
  const live = new Map();
  let schema = null;
  for (const name of commits) {
    for (const line of readFileSync(join(log, name), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const action = JSON.parse(line);
      if (action.add) live.set(Key(action.add), action.add);
      if (action.remove) live.delete(Key(action.remove));
      if (action.metaData) schema = JSON.parse(action.metaData.schemaString);
    }
  }
  if (schema === null) Fail(`${log}: no metaData action`);
  const files = [...live.values()].map((add) => Quote(join(parquet, decodeURIComponent(add.path))));
  if (files.length === 0) Fail(`${parquet}: the table has no live files to compare`);
  for (const add of live.values()) {
    if (add.deletionVector) deleted.set(join(parquet, decodeURIComponent(add.path)), ReadDeletionVector(parquet, add.deletionVector));
  }
  source = `read_parquet([${files.join(', ')}], hive_partitioning = true, union_by_name = true, filename = true, file_row_number = true)`;
  // Column mapping: files, partition folders and statistics use each column's physical name, and
  // the Parquet field_id is its id; the schema's name is what readers show.
  const Ident = (name) => `"${name.replaceAll('"', '""')}"`;
  const mapping = (field) => field.metadata?.['delta.columnMapping.physicalName'];
  select = schema.fields.map((field) => mapping(field) ?
    `${Ident(mapping(field))} AS ${Ident(field.name)}` : Ident(field.name)).join(', ');
  const ids = new Map(schema.fields.filter(mapping).map((field) =>
    [mapping(field), field.metadata['delta.columnMapping.id']]));
  if (ids.size > 0) {
    for (const file of files) {
      const found = await connection.runAndReadAll(
        `SELECT name, field_id FROM parquet_schema(${file}) WHERE name <> 'schema' AND name <> 'duckdb_schema'`);
      for (const [name, fieldId] of found.getRows()) {
        if (name === '_change_type') continue;
        if (ids.has(name) && Number(fieldId) !== ids.get(name)) {
          Fail(`${file}: column ${name} has field_id ${fieldId}, the schema says ${ids.get(name)}`);
        }
      }
    }
  }
}

// Types.
const described = await connection.runAndReadAll(`DESCRIBE SELECT ${select} FROM ${source}`);
const types = described.getRowObjectsJson().map((row) => row.column_type);
const expectedTypes = typeList.split('|');
if (JSON.stringify(types) !== JSON.stringify(expectedTypes)) {
  Fail(`types differ:\n  duckdb: ${types.join(' | ')}\n  wanted: ${expectedTypes.join(' | ')}`);
}

const extra = isTable ? ', filename, file_row_number' : '';
const result = await connection.runAndReadAll(`SELECT ${select}${extra} FROM ${source}`);
let names = result.columnNames();
let rows = result.getRows();
if (isTable) {
  // Drop the rows deletion vectors delete, then the two bookkeeping columns.
  rows = rows.filter((row) => {
    const gone = deleted.get(row[row.length - 2]);
    return gone === undefined || !gone.has(Number(row[row.length - 1]));
  }).map((row) => row.slice(0, -2));
  names = names.slice(0, -2);
}
const lines = rows.map((row) =>
  `{${row.map((value, i) => `${JSON.stringify(names[i])}:${Render(value, types[i])}`).join(',')}}`);
const expected = readFileSync(expectedPath, 'utf8').split('\n').filter((line) => line.length > 0);
if (isTable || parquet.includes('*')) {
  // A table or a set of files has no row order.
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
