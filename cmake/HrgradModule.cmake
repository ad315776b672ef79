# hrgrad_module(NAME SOURCES ... DEPS ...): a static library for one module of src/.
function(hrgrad_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(hrgrad_${name} STATIC ${ARG_SOURCES})
  target_include_directories(hrgrad_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(hrgrad_${name} PUBLIC ${ARG_DEPS} PRIVATE hrgrad_warnings)
  set_target_properties(hrgrad_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()

# Targets that include <torch/torch.h> reuse the precompiled header of hrgrad_model, so the
# heavy LibTorch headers are parsed once per build.
# The PCH is compiled with -fPIC (the modules are position-independent); an executable reusing
# it must compile with -fPIC too (its default -fPIE would make GCC ignore the PCH), and PIC
# objects link into a PIE executable.
function(hrgrad_use_torch_pch target)
  target_precompile_headers(${target} REUSE_FROM hrgrad_model)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    target_compile_options(${target} PRIVATE -fPIC)
  endif()
endfunction()
