#include "hrgrad/physics/reference_cache.hpp"

#include <cstdio>
#include <filesystem>

#include "hrgrad/core/error.hpp"
#include "hrgrad/core/log.hpp"
#include "hrgrad/core/rng.hpp"
#include "hrgrad/io/hdf5_file.hpp"

namespace hrgrad::physics {
namespace {

std::string entry_name(const std::string& key) {
  std::uint64_t h = 0;
  for (unsigned char c : key) h = mix64(h ^ c);
  char text[40];
  std::snprintf(text, sizeof text, "/references/%016llx", static_cast<unsigned long long>(h));
  return text;
}

}  // namespace

CachedReference ReferenceCache::get(const std::string& key,
                                    const std::function<reference::Solution()>& solve) {
  if (const auto it = memory_.find(key); it != memory_.end()) return it->second;
  auto out = get_from_file(key, solve);
  auto& kept = memory_[key] = out;
  kept.from_cache = true;
  kept.seconds = 0;
  return out;
}

CachedReference ReferenceCache::get_from_file(const std::string& key,
                                              const std::function<reference::Solution()>& solve) {
  const std::string entry = entry_name(key);
  if (!path_.empty() && std::filesystem::exists(path_)) {
    try {
      io::File file(path_, io::File::Mode::kRead);
      if (file.exists(entry) && file.read_attribute_string(entry, "key") == key) {
        CachedReference out;
        out.x = file.read_doubles(entry + "/x");
        out.rho = file.read_doubles(entry + "/rho");
        if (file.exists(entry + "/m")) out.m = file.read_doubles(entry + "/m");
        if (file.exists(entry + "/E")) out.E = file.read_doubles(entry + "/E");
        out.from_cache = true;
        return out;
      }
    } catch (const IoError& e) {
      log::warning(std::string("reference cache unreadable, recomputing: ") + e.what());
    }
  }
  const auto solution = solve();
  CachedReference out;
  out.x = solution.x;
  out.rho = solution.rho.back();
  if (!solution.m.empty()) out.m = solution.m.back();
  if (!solution.E.empty()) out.E = solution.E.back();
  out.seconds = solution.seconds;
  if (path_.empty()) return out;
  try {
    const bool exists = std::filesystem::exists(path_);
    io::File file(path_, exists ? io::File::Mode::kReadWrite : io::File::Mode::kCreate);
    file.write(entry + "/x", out.x);
    file.write(entry + "/rho", out.rho);
    if (!out.m.empty()) file.write(entry + "/m", out.m);
    if (!out.E.empty()) file.write(entry + "/E", out.E);
    file.write_attribute(entry, "key", key);
    for (const auto& a : solution.attributes) {
      std::visit([&](const auto& value) { file.write_attribute(entry, a.name, value); }, a.value);
    }
  } catch (const IoError& e) {
    log::warning(std::string("reference cache not written: ") + e.what());
  }
  return out;
}

}  // namespace hrgrad::physics
