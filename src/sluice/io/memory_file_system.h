// MemoryFileSystem: a FileSystem held in the process's memory ("mem://" URIs), as LevelDB's
// in-memory Env: lake and pipeline tests run against it without touching a disk, fast and with
// nothing left behind, and a test can see exactly what was written.
//
// Semantics are the interface's: a write appears only when its stream is closed (a stream
// destroyed without Close leaves nothing), CreateIfAbsent is atomic, List is recursive and
// sorted by path, Delete of a missing object is fine. Modification times come from the system
// clock unless a test sets one (SetClock). Every "mem://" URI in the process shares one store, so
// a table opened by URI (DeltaTable::Open("mem://t")) sees what another handle wrote;
// MemoryFileSystem::Clear empties it.
//
// Thread-safety: every method may be called concurrently (one mutex guards the store).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "sluice/io/file_system.h"

namespace sluice::io {

// The process's in-memory store ("mem://bucket/key" and "mem://key" URIs).
std::shared_ptr<FileSystem> MemoryFileSystem();

// Removes every object from the process's in-memory store.
void ClearMemoryFileSystem();

// The clock the in-memory store stamps modification times with (ms since the epoch); null: the
// system clock.
void SetMemoryFileSystemClock(std::function<int64_t()> clock);

}  // namespace sluice::io
