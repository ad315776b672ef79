# Collective-step timings, gather vs sharded (issue #5); included by tests/bench/CMakeLists.txt.
# Not a ctest: run tests/bench/exchange_bench.sh (see docs/distributed.md for the numbers).
if(NOT HRGRAD_CORE_ONLY)
  add_executable(exchange_bench ${CMAKE_CURRENT_LIST_DIR}/exchange_bench.cpp)
  target_link_libraries(exchange_bench PRIVATE hrgrad_exchange hrgrad_comm hrgrad_core hrgrad_warnings)
  hrgrad_use_torch_pch(exchange_bench)
endif()
