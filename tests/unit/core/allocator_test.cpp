#include "hrgrad/core/allocator.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>

namespace {

// After tuning, a tensor-sized block (4 MiB) comes from the heap, not from a fresh mmap that
// would be unmapped on free and page-faulted in again on the next step.
TEST(Allocator, TensorSizedBlocksStayInTheHeap) {
  hrgrad::tune_allocator_for_tensors();
  const auto before = mallinfo2().hblks;
  void* block = std::malloc(4 << 20);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(mallinfo2().hblks, before);
  std::free(block);
}

}  // namespace
#endif
