# Test registration helpers. MPI tests register the same binary at several rank counts (the
# count is in the test name); oversubscription and run-as-root are enabled here, in the test
# environment only, never in a user's defaults.
include(GoogleTest)
find_package(GTest REQUIRED)

set(HRGRAD_TEST_MPI_ENV
    "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1;OMPI_MCA_btl_vader_single_copy_mechanism=none;OMP_NUM_THREADS=1")

# hrgrad_unit_test(NAME SOURCES ... DEPS ... [TIMEOUT s]): a GoogleTest binary, one ctest per test.
function(hrgrad_unit_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest_main hrgrad_warnings)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "OMP_NUM_THREADS=1")
endfunction()

# hrgrad_mpi_test(NAME SOURCES ... DEPS ... RANKS 1 2 4 [TIMEOUT s]): one ctest per rank count,
# named NAME_npN. The binary uses tests/mpi/mpi_main.cpp for MPI set-up.
function(hrgrad_mpi_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;RANKS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/tests/mpi/mpi_main.cpp)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest hrgrad_warnings)
  foreach(n IN LISTS ARG_RANKS)
    add_test(NAME ${name}_np${n}
      COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${n} ${MPIEXEC_PREFLAGS}
              $<TARGET_FILE:${name}> ${MPIEXEC_POSTFLAGS})
    set_tests_properties(${name}_np${n} PROPERTIES
      PROCESSORS ${n} TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "${HRGRAD_TEST_MPI_ENV}")
  endforeach()
endfunction()
