#pragma once
// Counts every malloc/calloc/realloc in the process, including those inside C libraries (NSS
// under libsrtp2) that a replaced operator new would not see. The benchmark executable defines
// malloc itself and forwards to glibc, so the dynamic linker binds every library to it.
#include <cstdint>

namespace bench {

// False under AddressSanitizer, which owns malloc: counts then stay 0.
bool allocations_counted() noexcept;
uint64_t allocations() noexcept;

}  // namespace bench
