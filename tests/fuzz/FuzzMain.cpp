// libFuzzer's entry for one target: FUZZ_ENTRY names its function (set per executable by
// CMake). An exception escaping the target ends in std::terminate, which libFuzzer reports as a
// crash and saves the input.

#include "FuzzTargets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FUZZ_ENTRY(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
