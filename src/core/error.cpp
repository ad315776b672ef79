#include "hrgrad/core/error.hpp"

namespace hrgrad {

void require(bool ok, const std::string& option, const std::string& what) {
  if (!ok) throw InputError(option + ": " + what);
}

}  // namespace hrgrad
