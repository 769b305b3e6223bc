// Renders DuckDB values (from @duckdb/node-api) as text in sluice's NDJSON conventions: exact
// decimals, base64 binary, ISO dates/times/timestamps with Z, JSON embedded, doubles shortest.
// Shared by the interop checks.

function Pad(number, width) {
  return String(number).padStart(width, '0');
}

function FormatDecimal(value, scale) {
  // value: bigint unscaled.
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

function FormatDate(days) {
  return new Date(Number(days) * 86400000).toISOString().slice(0, 10);
}

function Fraction(micros) {
  return micros === 0n ? '' : `.${Pad(micros, 6)}`;
}

function FormatTime(micros) {
  const seconds = micros / 1000000n;
  return `${Pad(seconds / 3600n, 2)}:${Pad((seconds / 60n) % 60n, 2)}:${Pad(seconds % 60n, 2)}` +
         Fraction(micros % 1000000n);
}

function FormatTimestamp(micros) {
  let seconds = micros / 1000000n;
  let fraction = micros % 1000000n;
  if (fraction < 0n) {
    fraction += 1000000n;
    seconds -= 1n;
  }
  const iso = new Date(Number(seconds) * 1000).toISOString();  // ...T..:..:...000Z
  return `${iso.slice(0, 19)}${Fraction(fraction)}Z`;
}

function FormatDouble(value) {
  if (Number.isNaN(value) || !Number.isFinite(value)) return 'null';
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

// Renders one DuckDB value as sluice's NDJSON text for `type`.
export function Render(value, type) {
  if (value === null || value === undefined) return 'null';
  if (type === 'BOOLEAN') return value ? 'true' : 'false';
  if (type === 'INTEGER' || type === 'BIGINT') return value.toString();
  if (type === 'DOUBLE') return FormatDouble(value);
  if (type.startsWith('DECIMAL')) return FormatDecimal(BigInt(value.value), value.scale);
  if (type === 'VARCHAR') return JSON.stringify(value);
  if (type === 'BLOB') return JSON.stringify(Buffer.from(value.bytes).toString('base64'));
  if (type === 'DATE') return JSON.stringify(FormatDate(value.days));
  if (type === 'TIME') return JSON.stringify(FormatTime(BigInt(value.micros)));
  if (type === 'TIMESTAMP WITH TIME ZONE' || type === 'TIMESTAMP') return JSON.stringify(FormatTimestamp(BigInt(value.micros)));
  if (type === 'JSON') return String(value);
  throw new Error(`no rendering for type ${type}`);
}

