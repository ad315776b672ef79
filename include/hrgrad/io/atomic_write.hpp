// Crash-safe replacement of an HDF5 file: the new content is written under a temporary name,
// flushed to disk and renamed into place, so a reader, a crash or a full disk leaves either the
// old file or the new one, never a half-written one. Optionally the replaced file is kept.
#pragma once

#include <functional>
#include <string>

#include "hrgrad/io/hdf5_file.hpp"

namespace hrgrad::io {

// Fills a fresh HDF5 file at path + ".tmp" through fill, then renames it to path. With a
// non-empty previous, the file that was at path becomes previous. On any failure the temporary
// is removed, path and previous are left as they were, and IoError names the file.
void write_atomically(const std::string& path, const std::function<void(File&)>& fill,
                      const std::string& previous = "");

}  // namespace hrgrad::io
