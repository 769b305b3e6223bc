// Checks facts of a run report: node check_report.mjs REPORT.json EXPECTED
// EXPECTED holds lines `path = value`: a path like tasks[0].rows_out or
// tasks[name=bronze.orders].details.files.too_young, and a JSON value (or `length N` for arrays).
// Blank lines and lines starting with # are ignored. Exits 1 listing every mismatch.
import { readFileSync } from 'node:fs';

const [reportPath, expectedPath] = process.argv.slice(2);
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
let failed = 0;

function resolve(root, path) {
  let value = root;
  for (const part of path.match(/[^.[\]]+|\[[^\]]*\]/g)) {
    if (value === undefined || value === null) return undefined;
    if (part.startsWith('[')) {
      const inner = part.slice(1, -1);
      const eq = inner.indexOf('=');
      if (eq >= 0) {
        const key = inner.slice(0, eq);
        const want = inner.slice(eq + 1);
        value = value.find((item) => String(item[key]) === want);
      } else {
        value = value[Number(inner)];
      }
    } else {
      value = value[part];
    }
  }
  return value;
}

for (const raw of readFileSync(expectedPath, 'utf8').split('\n')) {
  const line = raw.trim();
  if (!line || line.startsWith('#')) continue;
  const eq = line.indexOf(' = ');
  if (eq < 0) {
    console.log(`bad expectation line: ${line}`);
    failed = 1;
    continue;
  }
  const path = line.slice(0, eq).trim();
  const expected = line.slice(eq + 3).trim();
  const actual = resolve(report, path);
  let ok;
  if (expected.startsWith('length ')) {
    ok = Array.isArray(actual) && actual.length === Number(expected.slice(7));
  } else if (expected.startsWith('contains ')) {
    ok = typeof actual === 'string' && actual.includes(JSON.parse(expected.slice(9)));
  } else {
    ok = JSON.stringify(actual) === JSON.stringify(JSON.parse(expected));
  }
  if (!ok) {
    console.log(`report: ${path} is ${JSON.stringify(actual)}, expected ${expected}`);
    failed = 1;
  }
}
process.exit(failed);
