// InlineVector<T, N>: a vector of trivially copyable T that stores up to N elements in
// place and moves to the heap beyond that. The scheduler keeps one per task for its
// dependencies, dependents and holders, which are one or two entries almost always:
// in place they cost no allocation, which is most of a trivial task's bookkeeping.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

namespace tessera::detail {

template <class T, std::uint32_t N>
class InlineVector {
  static_assert(std::is_trivially_copyable_v<T>, "InlineVector holds trivially copyable elements only");
  static_assert(N > 0);

 public:
  InlineVector() noexcept = default;
  InlineVector(const InlineVector& other) { assign(other.begin(), other.end()); }
  InlineVector(InlineVector&& other) noexcept { steal(other); }
  InlineVector& operator=(const InlineVector& other) {
    if (this != &other) {
      clear();
      assign(other.begin(), other.end());
    }
    return *this;
  }
  InlineVector& operator=(InlineVector&& other) noexcept {
    if (this != &other) {
      release();
      steal(other);
    }
    return *this;
  }
  ~InlineVector() { release(); }

  T* data() noexcept { return heap_ ? heap_.get() : inline_; }
  const T* data() const noexcept { return heap_ ? heap_.get() : inline_; }
  T* begin() noexcept { return data(); }
  T* end() noexcept { return data() + size_; }
  const T* begin() const noexcept { return data(); }
  const T* end() const noexcept { return data() + size_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::size_t capacity() const noexcept { return capacity_; }
  /// Bytes held on the heap (0 while the elements fit in place).
  std::size_t heap_bytes() const noexcept { return heap_ ? capacity_ * sizeof(T) : 0; }
  T& operator[](std::size_t i) noexcept { return data()[i]; }
  const T& operator[](std::size_t i) const noexcept { return data()[i]; }
  T& back() noexcept { return data()[size_ - 1]; }

  void push_back(T value) {
    if (size_ == capacity_) grow(capacity_ * 2);
    data()[size_++] = value;
  }
  void pop_back() noexcept { --size_; }
  /// Removes one element equal to `value` (order is not kept); false if there is none.
  bool erase_one(T value) noexcept {
    T* first = data();
    for (std::uint32_t i = 0; i < size_; ++i) {
      if (first[i] == value) {
        first[i] = first[size_ - 1];
        --size_;
        return true;
      }
    }
    return false;
  }
  void reserve(std::size_t n) {
    if (n > capacity_) grow(static_cast<std::uint32_t>(n));
  }
  void clear() noexcept { size_ = 0; }
  /// Replaces the contents with `count` copies of `value`.
  void assign(std::size_t count, T value) {
    clear();
    reserve(count);
    std::fill_n(data(), count, value);
    size_ = static_cast<std::uint32_t>(count);
  }

 private:
  void assign(const T* first, const T* last) {
    const auto n = static_cast<std::size_t>(last - first);
    reserve(n);
    if (n) std::memcpy(data(), first, n * sizeof(T));
    size_ = static_cast<std::uint32_t>(n);
  }
  void grow(std::uint32_t capacity) {
    auto bigger = std::make_unique_for_overwrite<T[]>(capacity);
    if (size_) std::memcpy(bigger.get(), data(), size_ * sizeof(T));
    heap_ = std::move(bigger);
    capacity_ = capacity;
  }
  void release() noexcept {
    heap_.reset();
    size_ = 0;
    capacity_ = N;
  }
  void steal(InlineVector& other) noexcept {
    size_ = other.size_;
    capacity_ = other.capacity_;
    if (other.heap_) {
      heap_ = std::move(other.heap_);
    } else if (size_) {
      std::memcpy(inline_, other.inline_, size_ * sizeof(T));
    }
    other.size_ = 0;
    other.capacity_ = N;
  }

  std::unique_ptr<T[]> heap_;
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = N;
  T inline_[N];
};

}  // namespace tessera::detail
