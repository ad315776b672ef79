#include "hrgrad/io/hdf5_file.hpp"

#include <functional>
#include <numeric>

#include "hrgrad/core/error.hpp"

namespace hrgrad::io {
namespace {

// HDF5 prints its own error stack by default; hrgrad reports one line instead.
struct SilenceHdf5 {
  SilenceHdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
};
const SilenceHdf5 silence_hdf5;

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : path) {
    if (c == '/') {
      if (!current.empty()) parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) parts.push_back(current);
  return parts;
}

}  // namespace

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    closer_ = other.closer_;
    other.id_ = -1;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && closer_) closer_(id_);
  id_ = -1;
}

File::File(const std::string& path, Mode mode) : path_(path) {
  hid_t id = -1;
  switch (mode) {
    case Mode::kCreate:
      id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
      break;
    case Mode::kRead:
      id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
      break;
    case Mode::kReadWrite:
      id = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      break;
    case Mode::kMemory: {
      Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
      if (access.valid() && H5Pset_fapl_core(access.get(), 1 << 16, /*backing_store=*/0) >= 0)
        id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get());
      break;
    }
  }
  if (id < 0) {
    throw IoError(path + ": cannot " +
                  std::string(mode == Mode::kCreate || mode == Mode::kMemory ? "create" : "open") +
                  " HDF5 file (missing, unwritable, or not an HDF5 file)");
  }
  file_ = Handle(id, H5Fclose);
}

void File::fail(const std::string& what, const std::string& object) const {
  throw IoError(path_ + ":" + object + ": " + what);
}

bool File::exists(const std::string& object) const {
  std::string prefix;
  for (const auto& part : split_path(object)) {
    prefix += "/" + part;
    if (H5Lexists(file_.get(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return true;
}

void File::create_group(const std::string& group) {
  std::string prefix;
  for (const auto& part : split_path(group)) {
    prefix += "/" + part;
    if (H5Lexists(file_.get(), prefix.c_str(), H5P_DEFAULT) > 0) continue;
    hid_t id = H5Gcreate2(file_.get(), prefix.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (id < 0) fail("cannot create group", prefix);
    H5Gclose(id);
  }
}

void File::ensure_parent_groups(const std::string& object) {
  const auto slash = object.find_last_of('/');
  if (slash != std::string::npos && slash > 0) create_group(object.substr(0, slash));
}

Handle File::open_object(const std::string& object) const {
  hid_t id = H5Oopen(file_.get(), object.c_str(), H5P_DEFAULT);
  if (id < 0) fail("no such object", object);
  return Handle(id, H5Oclose);
}

void File::write_raw(const std::string& dataset, hid_t type, const void* data, std::size_t count,
                     std::vector<std::size_t> dims) {
  if (dims.empty()) dims = {count};
  const std::size_t product =
      std::accumulate(dims.begin(), dims.end(), std::size_t{1}, std::multiplies<>());
  if (product != count) fail("dimensions do not match the data size", dataset);
  ensure_parent_groups(dataset);
  if (exists(dataset) && H5Ldelete(file_.get(), dataset.c_str(), H5P_DEFAULT) < 0) {
    fail("cannot replace dataset", dataset);
  }
  std::vector<hsize_t> hdims(dims.begin(), dims.end());
  Handle space(H5Screate_simple(static_cast<int>(hdims.size()), hdims.data(), nullptr), H5Sclose);
  if (!space.valid()) fail("cannot create dataspace", dataset);
  Handle set(H5Dcreate2(file_.get(), dataset.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT),
             H5Dclose);
  if (!set.valid()) fail("cannot create dataset", dataset);
  if (count > 0 && H5Dwrite(set.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
    fail("cannot write dataset", dataset);
  }
}

void File::write(const std::string& dataset, const std::vector<double>& data,
                 std::vector<std::size_t> dims) {
  write_raw(dataset, H5T_NATIVE_DOUBLE, data.data(), data.size(), std::move(dims));
}

void File::write(const std::string& dataset, const std::vector<std::int64_t>& data,
                 std::vector<std::size_t> dims) {
  write_raw(dataset, H5T_NATIVE_INT64, data.data(), data.size(), std::move(dims));
}

std::size_t File::read_shape(const Handle& set, const std::string& name,
                             std::vector<std::size_t>* dims) const {
  Handle space(H5Dget_space(set.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail("cannot read dataspace", name);
  std::vector<hsize_t> hdims(rank);
  H5Sget_simple_extent_dims(space.get(), hdims.data(), nullptr);
  std::size_t count = 1;
  for (auto d : hdims) count *= d;
  if (dims) dims->assign(hdims.begin(), hdims.end());
  return count;
}

std::vector<double> File::read_doubles(const std::string& dataset,
                                       std::vector<std::size_t>* dims) const {
  if (!exists(dataset)) fail("no such dataset", dataset);
  Handle set(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!set.valid()) fail("cannot open dataset", dataset);
  std::vector<double> data(read_shape(set, dataset, dims));
  if (!data.empty() &&
      H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0) {
    fail("cannot read dataset", dataset);
  }
  return data;
}

std::vector<std::int64_t> File::read_int64s(const std::string& dataset,
                                            std::vector<std::size_t>* dims) const {
  if (!exists(dataset)) fail("no such dataset", dataset);
  Handle set(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!set.valid()) fail("cannot open dataset", dataset);
  std::vector<std::int64_t> data(read_shape(set, dataset, dims));
  if (!data.empty() &&
      H5Dread(set.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0) {
    fail("cannot read dataset", dataset);
  }
  return data;
}

namespace {

void write_attribute_raw(hid_t object, const std::string& name, hid_t type, const void* value,
                         const std::function<void(const std::string&)>& fail) {
  if (H5Aexists(object, name.c_str()) > 0 && H5Adelete(object, name.c_str()) < 0) {
    fail("cannot replace attribute " + name);
  }
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(object, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  if (!attr.valid() || H5Awrite(attr.get(), type, value) < 0) {
    fail("cannot write attribute " + name);
  }
}

}  // namespace

void File::write_attribute(const std::string& object, const std::string& name, double value) {
  if (!exists(object)) create_group(object);
  Handle obj = open_object(object);
  write_attribute_raw(obj.get(), name, H5T_NATIVE_DOUBLE, &value,
                      [&](const std::string& what) { fail(what, object); });
}

void File::write_attribute(const std::string& object, const std::string& name, std::int64_t value) {
  if (!exists(object)) create_group(object);
  Handle obj = open_object(object);
  write_attribute_raw(obj.get(), name, H5T_NATIVE_INT64, &value,
                      [&](const std::string& what) { fail(what, object); });
}

void File::write_attribute(const std::string& object, const std::string& name,
                           const std::string& value) {
  if (!exists(object)) create_group(object);
  Handle obj = open_object(object);
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), value.empty() ? 1 : value.size());
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  const std::string stored = value.empty() ? std::string(1, '\0') : value;
  write_attribute_raw(obj.get(), name, type.get(), stored.data(),
                      [&](const std::string& what) { fail(what, object); });
}

bool File::has_attribute(const std::string& object, const std::string& name) const {
  if (!exists(object) && object != "/") return false;
  Handle obj = open_object(object);
  return H5Aexists(obj.get(), name.c_str()) > 0;
}

double File::read_attribute_double(const std::string& object, const std::string& name) const {
  if (!has_attribute(object, name)) fail("no attribute " + name, object);
  Handle obj = open_object(object);
  Handle attr(H5Aopen(obj.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  double value = 0;
  if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0)
    fail("cannot read attribute " + name, object);
  return value;
}

std::int64_t File::read_attribute_int64(const std::string& object, const std::string& name) const {
  if (!has_attribute(object, name)) fail("no attribute " + name, object);
  Handle obj = open_object(object);
  Handle attr(H5Aopen(obj.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  std::int64_t value = 0;
  if (H5Aread(attr.get(), H5T_NATIVE_INT64, &value) < 0)
    fail("cannot read attribute " + name, object);
  return value;
}

std::string File::read_attribute_string(const std::string& object, const std::string& name) const {
  if (!has_attribute(object, name)) fail("no attribute " + name, object);
  Handle obj = open_object(object);
  Handle attr(H5Aopen(obj.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING)
    fail("attribute " + name + " is not a string", object);
  if (H5Tis_variable_str(type.get()) > 0) {
    char* text = nullptr;
    Handle memtype(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memtype.get(), H5T_VARIABLE);
    if (H5Aread(attr.get(), memtype.get(), &text) < 0)
      fail("cannot read attribute " + name, object);
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  const std::size_t size = H5Tget_size(type.get());
  std::string value(size, '\0');
  if (H5Aread(attr.get(), type.get(), value.data()) < 0)
    fail("cannot read attribute " + name, object);
  value.resize(value.find('\0') == std::string::npos ? size : value.find('\0'));
  return value;
}

void File::flush() {
  if (H5Fflush(file_.get(), H5F_SCOPE_GLOBAL) < 0) fail("cannot flush", "/");
}

std::vector<unsigned char> File::image() {
  flush();
  const ssize_t size = H5Fget_file_image(file_.get(), nullptr, 0);
  if (size < 0) fail("cannot take the file image", "/");
  std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
  if (H5Fget_file_image(file_.get(), bytes.data(), bytes.size()) != size)
    fail("cannot take the file image", "/");
  return bytes;
}

}  // namespace hrgrad::io
