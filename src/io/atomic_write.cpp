#include "hrgrad/io/atomic_write.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "hrgrad/core/error.hpp"

namespace hrgrad::io {
namespace {

namespace fs = std::filesystem;

// Writes bytes to path and syncs them to disk: the data must be there before the rename makes
// it the file others read. A full disk shows up here, as an error of write() or fsync().
void write_to_disk(const std::string& path, const std::vector<unsigned char>& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) throw IoError(path + ": cannot create (" + std::strerror(errno) + ")");
  std::size_t done = 0;
  int error = 0;
  while (done < bytes.size() && error == 0) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      error = errno;
    }
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  ::close(fd);
  if (error != 0) {
    throw IoError(path + ": cannot write " + std::to_string(bytes.size()) + " bytes (" +
                  std::strerror(error) + ")");
  }
}

// Moves path to previous so that previous always holds a complete file: through a hard link
// and a rename where the file system allows it (path never goes missing), else a plain rename.
void keep_as_previous(const std::string& path, const std::string& previous) {
  std::error_code error;
  if (!fs::exists(path, error)) return;
  const std::string link = previous + ".tmp";
  fs::remove(link, error);
  fs::create_hard_link(path, link, error);
  if (!error) {
    fs::rename(link, previous);
  } else {
    fs::rename(path, previous);
  }
}

}  // namespace

void write_atomically(const std::string& path, const std::function<void(File&)>& fill,
                      const std::string& previous) {
  const std::string temporary = path + ".tmp";
  try {
    // HDF5 builds the file in memory; the disk is written with plain write() calls, so a full
    // disk never leaves HDF5 with a half-closed file (its exit handler crashes on one).
    std::vector<unsigned char> bytes;
    {
      File file(temporary, File::Mode::kMemory);
      fill(file);
      bytes = file.image();
    }
    write_to_disk(temporary, bytes);
    if (!previous.empty()) keep_as_previous(path, previous);
    fs::rename(temporary, path);
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw IoError(path + ": cannot write (" + e.what() + "); the file there before is untouched");
  }
}

}  // namespace hrgrad::io
