#include "hrgrad/io/hdf5_file.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "hrgrad/core/error.hpp"

namespace {

using hrgrad::io::File;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("hrgrad_io_test_" + name)).string();
}

TEST(Hdf5File, RoundTripDatasetsAndAttributes) {
  const auto path = temp_path("roundtrip.h5");
  {
    File file(path, File::Mode::kCreate);
    file.write("/a/b/values", std::vector<double>{1.0, 2.5, -3.0, 4.0, 5.0, 6.0}, {2, 3});
    file.write("/a/steps", std::vector<std::int64_t>{7, 8, 9});
    file.write_attribute("/config", "eps_min", 1e-4);
    file.write_attribute("/config", "regimes", std::int64_t{4});
    file.write_attribute("/config", "aggregator", std::string("hrgrad"));
    file.write_attribute("/config", "empty", std::string());
  }
  File file(path, File::Mode::kRead);
  std::vector<std::size_t> dims;
  EXPECT_EQ(file.read_doubles("/a/b/values", &dims),
            (std::vector<double>{1.0, 2.5, -3.0, 4.0, 5.0, 6.0}));
  EXPECT_EQ(dims, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(file.read_int64s("/a/steps"), (std::vector<std::int64_t>{7, 8, 9}));
  EXPECT_DOUBLE_EQ(file.read_attribute_double("/config", "eps_min"), 1e-4);
  EXPECT_EQ(file.read_attribute_int64("/config", "regimes"), 4);
  EXPECT_EQ(file.read_attribute_string("/config", "aggregator"), "hrgrad");
  EXPECT_EQ(file.read_attribute_string("/config", "empty"), "");
  EXPECT_TRUE(file.exists("/a/b"));
  EXPECT_FALSE(file.exists("/a/c"));
  std::remove(path.c_str());
}

TEST(Hdf5File, ReplacesExistingDatasetAndAttribute) {
  const auto path = temp_path("replace.h5");
  File file(path, File::Mode::kCreate);
  file.write("/x", std::vector<double>{1, 2, 3});
  file.write("/x", std::vector<double>{4, 5});
  file.write_attribute("/x", "unit", std::string("m"));
  file.write_attribute("/x", "unit", std::string("cm"));
  EXPECT_EQ(file.read_doubles("/x"), (std::vector<double>{4, 5}));
  EXPECT_EQ(file.read_attribute_string("/x", "unit"), "cm");
  std::remove(path.c_str());
}

TEST(Hdf5File, ErrorsNameTheFileAndObject) {
  const auto path = temp_path("errors.h5");
  File file(path, File::Mode::kCreate);
  try {
    file.read_doubles("/missing");
    FAIL() << "expected IoError";
  } catch (const hrgrad::IoError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("/missing"), std::string::npos);
  }
  EXPECT_THROW(file.write("/bad", std::vector<double>{1, 2, 3}, {2, 2}), hrgrad::IoError);
  EXPECT_THROW(File("/nonexistent_dir/x.h5", File::Mode::kCreate), hrgrad::IoError);
  EXPECT_THROW(File(temp_path("absent.h5"), File::Mode::kRead), hrgrad::IoError);
  std::remove(path.c_str());
}

}  // namespace
