# CERTAGENT_FUZZ: every target is compiled with libFuzzer's coverage instrumentation
# (-fsanitize=fuzzer-no-link); the fuzz executables in tests/fuzz add libFuzzer's main.
# Only compilers that can link a libFuzzer program qualify (Debian: clang-14 + libfuzzer-14-dev).
include(CheckCXXSourceCompiles)
set(CMAKE_REQUIRED_FLAGS -fsanitize=fuzzer)
set(CMAKE_REQUIRED_LINK_OPTIONS -fsanitize=fuzzer)
check_cxx_source_compiles([[
#include <cstddef>
#include <cstdint>
extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }
]] CERTAGENT_HAVE_LIBFUZZER)
unset(CMAKE_REQUIRED_FLAGS)
unset(CMAKE_REQUIRED_LINK_OPTIONS)
if(NOT CERTAGENT_HAVE_LIBFUZZER)
  message(FATAL_ERROR "CERTAGENT_FUZZ needs a compiler that links -fsanitize=fuzzer "
                      "(e.g. -DCMAKE_CXX_COMPILER=clang++-14 with libfuzzer-14-dev)")
endif()
if(NOT CERTAGENT_SANITIZE)
  message(WARNING "CERTAGENT_FUZZ without CERTAGENT_SANITIZE finds crashes only, not memory errors")
endif()
add_compile_options(-fsanitize=fuzzer-no-link)
