#pragma once
// For tests that assert a data path does not allocate (style guide (b) 3): counts every global
// operator new in the test binary and, outside AddressSanitizer (which owns malloc), every
// malloc/calloc/realloc too, so that allocations inside C libraries such as OpenSSL show. Both
// forward to glibc's allocator, so heap statistics (mallinfo2) stay true.
//
// The standard forbids replacement allocation functions to be inline: include this header in
// exactly one file of a test binary (a second one fails to link).
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

// GCC announces AddressSanitizer with __SANITIZE_ADDRESS__, clang only through __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define AIRCLASS_ALLOCATION_COUNTER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AIRCLASS_ALLOCATION_COUNTER_ASAN 1
#endif
#endif
// ThreadSanitizer's runtime defines operator new and delete itself (a replacement fails to link)
// and intercepts malloc: under it nothing is counted and CountsAllocations is false.
#if defined(__SANITIZE_THREAD__)
#define AIRCLASS_ALLOCATION_COUNTER_OFF 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AIRCLASS_ALLOCATION_COUNTER_OFF 1
#endif
#endif

namespace base::test {

inline std::atomic<size_t> g_allocations{0};      // operator new and malloc
inline std::atomic<size_t> g_new_allocations{0};  // operator new only

// Whether anything is counted (not under ThreadSanitizer): tests that check the counter skip.
constexpr bool CountsAllocations =
#if defined(AIRCLASS_ALLOCATION_COUNTER_OFF)
    false;
#else
    true;
#endif

// Whether malloc itself is counted (not under AddressSanitizer or ThreadSanitizer).
constexpr bool MallocCounted =
#if defined(AIRCLASS_ALLOCATION_COUNTER_ASAN) || defined(AIRCLASS_ALLOCATION_COUNTER_OFF)
    false;
#else
    true;
#endif

#if defined(AIRCLASS_ALLOCATION_COUNTER_ASAN) || defined(AIRCLASS_ALLOCATION_COUNTER_OFF)
inline void* uncounted_malloc(size_t size) noexcept {
  return std::malloc(size);  // AddressSanitizer's malloc, which is not counted
}
#endif

inline size_t allocations() noexcept {
  return g_allocations.load(std::memory_order_relaxed);
}

// Hides a pointer from the optimizer, so that a malloc/free pair in a test is not elided.
inline void* opaque(void* p) noexcept {
  void* volatile kept = p;
  return kept;
}

// Allocations made while `fn` runs.
template <typename Fn>
size_t allocations_in(Fn&& fn) {
  const size_t before = allocations();
  fn();
  return allocations() - before;
}

// Only those through operator new (our C++), not C libraries' malloc.
template <typename Fn>
size_t new_allocations_in(Fn&& fn) {
  const size_t before = g_new_allocations.load(std::memory_order_relaxed);
  fn();
  return g_new_allocations.load(std::memory_order_relaxed) - before;
}

}  // namespace base::test

#if !defined(AIRCLASS_ALLOCATION_COUNTER_ASAN) && !defined(AIRCLASS_ALLOCATION_COUNTER_OFF)
// glibc exports its allocator under these names, so forwarding needs no dlsym bootstrap.
extern "C" {
void* __libc_malloc(size_t size);
}
namespace base::test {
// The allocator under operator new, not counted again (one new is one allocation).
inline void* uncounted_malloc(size_t size) noexcept {
  return __libc_malloc(size);
}
}  // namespace base::test
extern "C" {
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* ptr, size_t size);
void* malloc(size_t size) noexcept {
  base::test::g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) noexcept {
  base::test::g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(count, size);
}
void* realloc(void* ptr, size_t size) noexcept {
  base::test::g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(ptr, size);
}
}
#endif

#if !defined(AIRCLASS_ALLOCATION_COUNTER_OFF)
// GCC cannot tell that these replacements pair malloc with free on purpose once they are
// inlined into std::allocator.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t size) {
  base::test::g_allocations.fetch_add(1, std::memory_order_relaxed);
  base::test::g_new_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = base::test::uncounted_malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) {
  return ::operator new(size);
}
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  base::test::g_allocations.fetch_add(1, std::memory_order_relaxed);
  base::test::g_new_allocations.fetch_add(1, std::memory_order_relaxed);
  return base::test::uncounted_malloc(size == 0 ? 1 : size);
}
void* operator new[](size_t size, const std::nothrow_t& tag) noexcept {
  return ::operator new(size, tag);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, size_t) noexcept {
  std::free(p);
}
#endif
