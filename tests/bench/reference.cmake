# Reference solver timings (issue #3); included by tests/bench/CMakeLists.txt. Not a ctest:
# run build/tests/bench/reference_bench and see docs/reference.md.
add_executable(reference_bench ${CMAKE_CURRENT_LIST_DIR}/reference_bench.cpp)
target_link_libraries(reference_bench PRIVATE hrgrad_reference hrgrad_warnings)
