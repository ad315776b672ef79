# Aggregator weight-computation timings (issue #4); included by tests/bench/CMakeLists.txt. Not a
# ctest: run build/tests/bench/aggregate_bench (see docs/method.md for the numbers).
find_package(benchmark QUIET)
if(benchmark_FOUND)
  add_executable(aggregate_bench ${CMAKE_CURRENT_LIST_DIR}/aggregate_bench.cpp)
  target_link_libraries(aggregate_bench PRIVATE hrgrad_aggregate benchmark::benchmark
                                                hrgrad_warnings)
else()
  message(STATUS "hrgrad: Google Benchmark not found; aggregate_bench not built")
endif()
