# libFuzzer targets (AIRCLASS_FUZZ=ON, clang only). Every *_fuzz.cpp under src/, tools/ and
# bench/ becomes an executable named after the file (amf0_fuzz), linked with the library of its
# folder, and a short ctest run (label "fuzz") on its seed corpus tests/fuzz/corpus/<name>/, so
# the sanitizer build of `make test` catches a parser regression in seconds.
#
# The rest of the tree is compiled with -fsanitize=fuzzer-no-link (coverage counters only): the
# libraries are built once and shared by the unit tests and the fuzzers, which cost only their
# own file. The sanitizer runtime provides the coverage callbacks for the unit test binaries.

# Which library a folder's fuzzers link: airclass_module() records it; folders that build their
# library by hand (src/app) register here.
function(airclass_fuzz_library dir target)
  set_property(GLOBAL PROPERTY AIRCLASS_FUZZ_LIBRARY_${dir} ${target})
endfunction()

set(AIRCLASS_FUZZ_SECONDS 2 CACHE STRING "Seconds each fuzzer runs as a ctest smoke test")

function(airclass_add_fuzzers)
  file(GLOB_RECURSE fuzzers CONFIGURE_DEPENDS
    ${PROJECT_SOURCE_DIR}/src/*_fuzz.cpp
    ${PROJECT_SOURCE_DIR}/tools/*_fuzz.cpp
    ${PROJECT_SOURCE_DIR}/bench/*_fuzz.cpp)
  set(runner ${PROJECT_SOURCE_DIR}/tests/fuzz/run_fuzzer.sh)
  add_custom_target(fuzzers)  # `make fuzz` builds only these and their libraries
  foreach(src ${fuzzers})
    get_filename_component(name ${src} NAME_WE)
    get_filename_component(dir ${src} DIRECTORY)
    get_property(lib GLOBAL PROPERTY AIRCLASS_FUZZ_LIBRARY_${dir})
    if(NOT lib)
      message(FATAL_ERROR "${src}: no library known for ${dir}; call airclass_module() there "
                          "or airclass_fuzz_library(${dir} <target>) in the root CMakeLists.txt")
    endif()
    add_executable(${name} ${src})
    target_link_libraries(${name} PRIVATE ${lib})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
    add_dependencies(fuzzers ${name})
    # Smoke run: a few seconds from the committed seeds; new inputs go to a scratch corpus and
    # a crash input to fuzz-work/<name>/ in the build directory (the test fails and keeps it).
    add_test(NAME fuzz.${name}
      COMMAND ${runner} $<TARGET_FILE:${name}> ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${name}
              ${CMAKE_BINARY_DIR}/fuzz-work ${AIRCLASS_FUZZ_SECONDS})
    set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT 120)
  endforeach()
endfunction()
