// A small RAII layer over the HDF5 C API: files, groups created on demand, double/int64
// datasets of any rank, and scalar attributes. Every failure throws hrgrad::IoError naming the
// file and the object.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hrgrad::io {

// Owns one HDF5 identifier and closes it with the matching H5*close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept { *this = std::move(other); }
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }
  void reset();
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

class File {
 public:
  // kCreate truncates an existing file; kMemory builds a new file in memory only (HDF5's core
  // driver), whose bytes image() returns, so that writing them to disk is left to the caller.
  enum class Mode { kCreate, kRead, kReadWrite, kMemory };
  File(const std::string& path, Mode mode);
  const std::string& path() const { return path_; }

  bool exists(const std::string& object) const;
  // Creates the group and its parents if missing.
  void create_group(const std::string& group);

  // Writes a dataset (replacing an existing one). dims defaults to {data.size()}.
  void write(const std::string& dataset, const std::vector<double>& data,
             std::vector<std::size_t> dims = {});
  void write(const std::string& dataset, const std::vector<std::int64_t>& data,
             std::vector<std::size_t> dims = {});
  std::vector<double> read_doubles(const std::string& dataset,
                                   std::vector<std::size_t>* dims = nullptr) const;
  std::vector<std::int64_t> read_int64s(const std::string& dataset,
                                        std::vector<std::size_t>* dims = nullptr) const;

  // Scalar attributes on a group or dataset (created if missing, replaced if present).
  void write_attribute(const std::string& object, const std::string& name, double value);
  void write_attribute(const std::string& object, const std::string& name, std::int64_t value);
  void write_attribute(const std::string& object, const std::string& name,
                       const std::string& value);
  double read_attribute_double(const std::string& object, const std::string& name) const;
  std::int64_t read_attribute_int64(const std::string& object, const std::string& name) const;
  std::string read_attribute_string(const std::string& object, const std::string& name) const;
  bool has_attribute(const std::string& object, const std::string& name) const;

  void flush();
  // The bytes of the whole file as it would be on disk (for Mode::kMemory).
  std::vector<unsigned char> image();

 private:
  [[noreturn]] void fail(const std::string& what, const std::string& object) const;
  void ensure_parent_groups(const std::string& object);
  Handle open_object(const std::string& object) const;
  void write_raw(const std::string& dataset, hid_t type, const void* data, std::size_t count,
                 std::vector<std::size_t> dims);
  std::size_t read_shape(const Handle& dataset, const std::string& name,
                         std::vector<std::size_t>* dims) const;

  std::string path_;
  Handle file_;
};

}  // namespace hrgrad::io
