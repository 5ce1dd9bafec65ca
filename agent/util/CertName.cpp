#include "util/CertName.h"

namespace certagent {

namespace {

constexpr std::size_t kMaxCertName = 64;

bool isAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

} // namespace

bool isValidCertName(std::string_view name) {
    if (name.empty() || name.size() > kMaxCertName || !isAlnum(name[0]))
        return false;
    if (name.find("..") != std::string_view::npos)
        return false;
    for (char c : name)
        if (!isAlnum(c) && c != '.' && c != '_' && c != '-')
            return false;
    return true;
}

} // namespace certagent
