// write_atomically: the file is replaced whole, the replaced one is kept when asked, and a failure
// while filling leaves the old file (and the kept one) as they were, with no temporary behind.
#include "hrgrad/io/atomic_write.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "hrgrad/core/error.hpp"

namespace {

using hrgrad::io::File;
using hrgrad::io::write_atomically;
namespace fs = std::filesystem;

std::int64_t version_of(const std::string& path) {
  return File(path, File::Mode::kRead).read_attribute_int64("/", "version");
}

void write_version(const std::string& path, std::int64_t version, const std::string& previous) {
  write_atomically(
      path, [&](File& file) { file.write_attribute("/", "version", version); }, previous);
}

TEST(AtomicWrite, ReplacesAndKeepsThePreviousFile) {
  const auto dir = fs::temp_directory_path() / "hrgrad_atomic_write_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto path = (dir / "a.h5").string(), previous = (dir / "a.prev.h5").string();
  write_version(path, 1, previous);
  EXPECT_EQ(version_of(path), 1);
  EXPECT_FALSE(fs::exists(previous));
  write_version(path, 2, previous);
  write_version(path, 3, previous);
  EXPECT_EQ(version_of(path), 3);
  EXPECT_EQ(version_of(previous), 2);

  try {
    write_atomically(
        path,
        [](File& file) {
          file.write_attribute("/", "version", std::int64_t{4});
          throw std::runtime_error("disk full");
        },
        previous);
    FAIL() << "no exception";
  } catch (const hrgrad::IoError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("disk full"), std::string::npos) << message;
  }
  EXPECT_EQ(version_of(path), 3);
  EXPECT_EQ(version_of(previous), 2);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  fs::remove_all(dir);
}

TEST(AtomicWrite, UnwritableFolderIsAnIoError) {
  EXPECT_THROW(write_version("/nonexistent-hrgrad-folder/a.h5", 1, ""), hrgrad::IoError);
}

}  // namespace
