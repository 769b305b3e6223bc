// RawBytes: a byte vector whose resize() leaves new bytes uninitialized, so builders and readers
// can grow a buffer and then write into it without paying for a zero fill first.
#pragma once

#include <memory>
#include <new>
#include <vector>

namespace sluice::columnar {

template <typename T>
class DefaultInitAllocator : public std::allocator<T> {
 public:
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}  // NOLINT(runtime/explicit)

  // resize() value-initializes through construct(p); default-initialize instead (no zeroing).
  template <typename U>
  void construct(U* pointer) noexcept {
    ::new (static_cast<void*>(pointer)) U;
  }
  template <typename U, typename... Args>
  void construct(U* pointer, Args&&... args) {
    ::new (static_cast<void*>(pointer)) U(std::forward<Args>(args)...);
  }
};

using RawBytes = std::vector<char, DefaultInitAllocator<char>>;

}  // namespace sluice::columnar
