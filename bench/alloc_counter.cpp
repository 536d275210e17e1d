#include "alloc_counter.hpp"

#include <atomic>
#include <cstddef>

namespace {
[[maybe_unused]] std::atomic<uint64_t> g_allocations{0};  // unused under sanitizers
}  // namespace

// Sanitizers own malloc (ThreadSanitizer intercepts it too): nothing counted under them.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AIRCLASS_BENCH_NO_MALLOC_COUNT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define AIRCLASS_BENCH_NO_MALLOC_COUNT 1
#endif
#endif

#if defined(AIRCLASS_BENCH_NO_MALLOC_COUNT)

namespace bench {
bool allocations_counted() noexcept {
  return false;
}
uint64_t allocations() noexcept {
  return 0;
}
}  // namespace bench

#else

// glibc exports its allocator under these names, so forwarding needs no dlsym bootstrap.
extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* ptr, size_t size);
void __libc_free(void* ptr);

void* malloc(size_t size) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(count, size);
}
void* realloc(void* ptr, size_t size) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(ptr, size);
}
void free(void* ptr) noexcept {
  __libc_free(ptr);
}
}

namespace bench {
bool allocations_counted() noexcept {
  return true;
}
uint64_t allocations() noexcept {
  return g_allocations.load(std::memory_order_relaxed);
}
}  // namespace bench

#endif
