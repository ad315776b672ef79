# Warning flags shared by every hrgrad target.
add_library(hrgrad_warnings INTERFACE)
target_compile_options(hrgrad_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wno-unused-parameter>)
