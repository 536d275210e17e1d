# airclass_module(NAME <target> [DEPS <libs...>])
# One CMake target per folder: every *.cpp except *_test.cpp and *_fuzz.cpp forms the library,
# every *_test.cpp forms one GoogleTest binary <target>_test (and with AIRCLASS_FUZZ every
# *_fuzz.cpp a libFuzzer executable, see airclass_fuzz.cmake). A folder links only its DEPS, so an
# include that crosses the architecture's boundaries breaks the build.
# Test binaries are compiled without optimization in every configuration: GoogleTest's macros
# make their objects the slowest of the build at -O2 (about 1.5 times -O0), the code under test
# lives in the libraries and keeps the configuration's optimization, and no unit test measures
# speed (benchmarks do, in bench/).
function(airclass_test_target target)
  target_compile_options(${target} PRIVATE -O0)
endfunction()

function(airclass_module)
  cmake_parse_arguments(M "" "NAME" "DEPS" ${ARGN})
  # The folder's *_fuzz.cpp files link this library (cmake/airclass_fuzz.cmake).
  set_property(GLOBAL PROPERTY AIRCLASS_FUZZ_LIBRARY_${CMAKE_CURRENT_SOURCE_DIR} ${M_NAME})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  list(FILTER srcs EXCLUDE REGEX "_(test|fuzz)\\.cpp$")
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp)
  if(srcs)
    add_library(${M_NAME} STATIC ${srcs})
    target_include_directories(${M_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${M_NAME} PUBLIC ${M_DEPS})
  else()
    add_library(${M_NAME} INTERFACE)
    target_include_directories(${M_NAME} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${M_NAME} INTERFACE ${M_DEPS})
  endif()
  if(tests)
    add_executable(${M_NAME}_test ${tests})
    airclass_test_target(${M_NAME}_test)
    target_link_libraries(${M_NAME}_test PRIVATE ${M_NAME} GTest::gtest GTest::gtest_main GTest::gmock)
    target_compile_definitions(${M_NAME}_test PRIVATE
      AIRCLASS_TEST_DATA="${PROJECT_SOURCE_DIR}/tests/data")
    gtest_discover_tests(${M_NAME}_test PROPERTIES LABELS unit DISCOVERY_TIMEOUT 30)
  endif()
endfunction()
