// The run-time BLAS check (core/blas.hpp).
#include "hrgrad/core/blas.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace {

TEST(Blas, ReferenceBlasIsRecognisedByItsDebianFolder) {
  EXPECT_TRUE(hrgrad::is_reference_blas("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3"));
  EXPECT_FALSE(hrgrad::is_reference_blas("/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3"));
  EXPECT_FALSE(hrgrad::is_reference_blas(""));
}

TEST(Blas, LoadedBlasIsEmptyOrAnExistingFile) {
  const auto path = hrgrad::loaded_blas();
  if (!path.empty()) {
    EXPECT_TRUE(std::filesystem::exists(path)) << path;
  }
}

}  // namespace
