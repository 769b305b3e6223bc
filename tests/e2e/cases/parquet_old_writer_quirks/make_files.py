"""Writes two Parquet files by hand (the writers that make them are not on this machine):
bloom_as_list.parquet -- an INT64 column whose ColumnMetaData carries bloom_filter_length (an
optional i32) as a list, as an old writer did; wide_decimal.parquet -- a decimal(76,10) column in
FIXED_LEN_BYTE_ARRAY(32), as Arrow's decimal256 writes it."""
import struct

I32, I64, BINARY, LIST, STRUCT = 5, 6, 8, 9, 12


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def zigzag(n):
    return varint((n << 1) ^ (n >> 63))


class Struct:
    """A thrift compact struct: fields written in increasing id order."""

    def __init__(self):
        self.out = bytearray()
        self.last = 0

    def field(self, fid, ftype):
        self.out.append(((fid - self.last) << 4) | ftype)
        self.last = fid

    def i32(self, fid, value):
        self.field(fid, I32)
        self.out += zigzag(value)
        return self

    def i64(self, fid, value):
        self.field(fid, I64)
        self.out += zigzag(value)
        return self

    def binary(self, fid, value):
        self.field(fid, BINARY)
        self.out += varint(len(value)) + value
        return self

    def struct(self, fid, inner):
        self.field(fid, STRUCT)
        self.out += inner.end()
        return self

    def list(self, fid, etype, items):
        self.field(fid, LIST)
        self.out.append((len(items) << 4) | etype)
        for item in items:
            if etype == STRUCT:
                self.out += item.end()
            elif etype == BINARY:
                self.out += varint(len(item)) + item
            else:
                self.out += zigzag(item)
        return self

    def end(self):
        return bytes(self.out) + b"\x00"


def write(path, leaf, values_plain, num_values, extra_meta=None):
    page_header = (Struct().i32(1, 0).i32(2, len(values_plain)).i32(3, len(values_plain))
                   .struct(5, Struct().i32(1, num_values).i32(2, 0).i32(3, 3).i32(4, 3)).end())
    chunk = page_header + values_plain
    data_offset = 4
    meta = (Struct().i32(1, leaf["type"]).list(2, I32, [0]).list(3, BINARY, [leaf["name"]])
            .i32(4, 0).i64(5, num_values).i64(6, len(chunk)).i64(7, len(chunk))
            .i64(9, data_offset))
    if extra_meta:
        extra_meta(meta)
    column = Struct().i64(2, data_offset).struct(3, meta)
    row_group = Struct().list(1, STRUCT, [column]).i64(2, len(chunk)).i64(3, num_values)
    root = Struct().binary(4, b"schema").i32(5, 1)
    element = Struct().i32(1, leaf["type"])
    if "length" in leaf:
        element.i32(2, leaf["length"])
    element.i32(3, 0).binary(4, leaf["name"])
    if "precision" in leaf:
        element.i32(6, 5).i32(7, leaf["scale"]).i32(8, leaf["precision"])
    footer = (Struct().i32(1, 1).list(2, STRUCT, [root, element]).i64(3, num_values)
              .list(4, STRUCT, [row_group]).binary(6, b"hand-made old writer").end())
    with open(path, "wb") as f:
        f.write(b"PAR1" + chunk + footer + struct.pack("<I", len(footer)) + b"PAR1")


# bloom_filter_length (field 15, an optional i32) written as a list of two i32.
write("bloom_as_list.parquet", {"type": 2, "name": b"id"},
      b"".join(struct.pack("<q", v) for v in (1, 2, 3)), 3,
      extra_meta=lambda meta: meta.list(15, I32, [7, 9]))

# decimal(76,10): unscaled values as 32-byte big-endian two's complement.
unscaled = [123456789012345678901234567890123456789012345678901234567890,
            -10000000001, 0, 10 ** 75 + 1]
write("wide_decimal.parquet",
      {"type": 7, "length": 32, "name": b"amount", "precision": 76, "scale": 10},
      b"".join(v.to_bytes(32, "big", signed=True) for v in unscaled), len(unscaled))
