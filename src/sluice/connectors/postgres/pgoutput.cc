#include "sluice/connectors/postgres/pgoutput.h"

namespace sluice::connectors {

namespace {

// Big-endian fields read in order; any read past the end marks the message malformed.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == data_.size(); }

  uint64_t Unsigned(size_t bytes) {
    if (!Have(bytes)) return 0;
    uint64_t value = 0;
    for (size_t i = 0; i < bytes; ++i) value = (value << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += bytes;
    return value;
  }
  uint8_t U8() { return static_cast<uint8_t>(Unsigned(1)); }
  int16_t I16() { return static_cast<int16_t>(Unsigned(2)); }
  int32_t I32() { return static_cast<int32_t>(Unsigned(4)); }
  uint64_t U64() { return Unsigned(8); }
  std::string_view CString() {
    const size_t end = data_.find('\0', pos_);
    if (end == std::string_view::npos) {
      ok_ = false;
      return {};
    }
    const std::string_view text = data_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return text;
  }
  std::string_view Bytes(size_t size) {
    if (!Have(size)) return {};
    const std::string_view bytes = data_.substr(pos_, size);
    pos_ += size;
    return bytes;
  }
  std::string_view Rest() {
    const std::string_view rest = data_.substr(pos_);
    pos_ = data_.size();
    return rest;
  }

 private:
  bool Have(size_t bytes) {
    if (ok_ && data_.size() - pos_ >= bytes) return true;
    ok_ = false;
    return false;
  }

  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

Status Malformed(std::string_view what) {
  return Status::DataError("the replication stream is malformed (" + std::string(what) + ")");
}

bool ReadTuple(WireReader* in, PgTuple* tuple) {
  const int16_t columns = in->I16();
  if (!in->ok() || columns < 0) return false;
  tuple->assign(static_cast<size_t>(columns), PgTupleValue{});
  for (PgTupleValue& value : *tuple) {
    value.kind = static_cast<char>(in->U8());
    if (value.kind == 't' || value.kind == 'b') {
      const int32_t length = in->I32();
      if (length < 0) return false;
      value.text = in->Bytes(static_cast<size_t>(length));
    } else if (value.kind != 'n' && value.kind != 'u') {
      return false;
    }
    if (!in->ok()) return false;
  }
  return true;
}

int64_t UnixMicros(uint64_t pg_micros) {
  return static_cast<int64_t>(pg_micros) + kPgEpochUnixMicros;
}

}  // namespace

Status ParsePgFrame(std::string_view message, PgFrame* frame) {
  *frame = PgFrame{};
  if (message.empty()) return Malformed("an empty frame");
  WireReader in(message.substr(1));
  if (message[0] == 'w') {
    frame->kind = PgFrameKind::kData;
    frame->start = in.U64();
    frame->wal_end = in.U64();
    in.U64();  // the server's clock
    frame->payload = in.Rest();
  } else if (message[0] == 'k') {
    frame->kind = PgFrameKind::kKeepalive;
    frame->wal_end = in.U64();
    in.U64();
    frame->reply_requested = in.U8() != 0;
  }
  if (!in.ok()) return Malformed("a truncated frame");
  return Status::OK();
}

Status ParsePgOutput(std::string_view payload, PgChange* change) {
  *change = PgChange{};
  if (payload.empty()) return Malformed("an empty message");
  WireReader in(payload.substr(1));
  bool tuples_ok = true;
  switch (payload[0]) {
    case 'B':
      change->kind = PgChangeKind::kBegin;
      change->final_lsn = in.U64();
      change->commit_micros = UnixMicros(in.U64());
      in.I32();  // xid
      break;
    case 'C':
      change->kind = PgChangeKind::kCommit;
      in.U8();   // flags
      in.U64();  // the commit record's position
      change->end_lsn = in.U64();
      change->commit_micros = UnixMicros(in.U64());
      break;
    case 'R': {
      change->kind = PgChangeKind::kRelation;
      change->relation = static_cast<uint32_t>(in.I32());
      change->schema = in.CString();
      change->name = in.CString();
      in.U8();  // replica identity setting
      const int16_t columns = in.I16();
      for (int16_t c = 0; in.ok() && c < columns; ++c) {
        in.U8();  // flags: part of the key
        change->columns.emplace_back(in.CString());
        in.I32();  // type oid
        in.I32();  // type modifier
      }
      break;
    }
    case 'I':
      change->kind = PgChangeKind::kInsert;
      change->relation = static_cast<uint32_t>(in.I32());
      tuples_ok = in.U8() == 'N' && ReadTuple(&in, &change->tuple);
      break;
    case 'U': {
      change->kind = PgChangeKind::kUpdate;
      change->relation = static_cast<uint32_t>(in.I32());
      uint8_t next = in.U8();
      if (next == 'K' || next == 'O') {
        change->has_old = true;
        tuples_ok = ReadTuple(&in, &change->old_tuple);
        next = in.U8();
      }
      tuples_ok = tuples_ok && next == 'N' && ReadTuple(&in, &change->tuple);
      break;
    }
    case 'D': {
      change->kind = PgChangeKind::kDelete;
      change->relation = static_cast<uint32_t>(in.I32());
      const uint8_t next = in.U8();
      tuples_ok = (next == 'K' || next == 'O') && ReadTuple(&in, &change->tuple);
      break;
    }
    case 'T': {
      change->kind = PgChangeKind::kTruncate;
      const int32_t relations = in.I32();
      in.U8();  // options: cascade, restart identity
      for (int32_t r = 0; in.ok() && r < relations; ++r) {
        change->truncated.push_back(static_cast<uint32_t>(in.I32()));
      }
      break;
    }
    default:
      return Status::OK();  // origin, type, logical message, streaming: nothing for the rows
  }
  if (!in.ok() || !tuples_ok) {
    return Malformed(std::string("a truncated '") + payload[0] + "' message");
  }
  return Status::OK();
}

std::string PgStandbyStatus(uint64_t written, uint64_t flushed, int64_t now_unix_micros,
                            bool reply_requested) {
  std::string message(1, 'r');
  auto put = [&](uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      message += static_cast<char>((value >> shift) & 0xFF);
    }
  };
  put(written);
  put(flushed);
  put(flushed);  // applied
  put(static_cast<uint64_t>(now_unix_micros - kPgEpochUnixMicros));
  message += static_cast<char>(reply_requested ? 1 : 0);
  return message;
}

}  // namespace sluice::connectors
