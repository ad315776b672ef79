// Reference solutions at the final time, cached in an HDF5 file and keyed by the solver's
// settings key (problem, ε, grid, scheme version), so each reference is computed once across
// runs, and kept in memory, so repeated evaluations during a run (--eval-every) neither solve
// nor read again. A cache that cannot be read or written costs a warning and a recomputation,
// never a run.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "hrgrad/reference/solution.hpp"

namespace hrgrad::physics {

struct CachedReference {
  std::vector<double> x, rho, m, E;  // at the final time on the solver's cell centres
  bool from_cache = false;
  double seconds = 0;  // the solve's wall time (0 when read from the cache)
};

class ReferenceCache {
 public:
  // An empty path disables the file; the in-memory copies stay.
  explicit ReferenceCache(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }
  CachedReference get(const std::string& key, const std::function<reference::Solution()>& solve);

 private:
  CachedReference get_from_file(const std::string& key,
                                const std::function<reference::Solution()>& solve);

  std::string path_;
  std::map<std::string, CachedReference> memory_;
};

}  // namespace hrgrad::physics
