#include "store/IndexText.h"

#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace certagent::store::detail {

std::string hex64(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

using namespace std::string_view_literals;

bool parseHex64(std::string_view text, std::uint64_t& out) {
    if (text.size() != 16)
        return false;
    std::uint64_t v = 0;
    for (char c : text) {
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return false;
        v = v << 4 | static_cast<std::uint64_t>(d);
    }
    out = v;
    return true;
}

namespace {

/// 32 lower-case hex digits of a content digest.
std::string hexBytes(const std::array<std::uint8_t, 16>& bytes) {
    static const char* const digits = "0123456789abcdef";
    std::string out;
    for (std::uint8_t b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

/// Parses hexBytes()'s form; false if it is not one.
bool parseHexBytes(std::string_view text, std::array<std::uint8_t, 16>& out) {
    std::uint64_t high = 0, low = 0;
    if (text.size() != 32 || !parseHex64(text.substr(0, 16), high) ||
        !parseHex64(text.substr(16), low))
        return false;
    for (int i = 0; i < 8; ++i) {
        out[i] = static_cast<std::uint8_t>(high >> (56 - 8 * i));
        out[8 + i] = static_cast<std::uint8_t>(low >> (56 - 8 * i));
    }
    return true;
}

} // namespace

/// A non-negative decimal of at most 18 digits.
bool parseNumber(std::string_view text, long long& out) {
    if (text.empty() || text.size() > 18)
        return false;
    long long v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

/// The next tab-separated field of `line` from `pos` (advanced past the tab).
std::string_view nextField(std::string_view line, std::size_t& pos) {
    std::size_t tab = line.find('\t', pos);
    std::string_view field = line.substr(pos, tab == std::string_view::npos ? tab : tab - pos);
    pos = tab == std::string_view::npos ? line.size() + 1 : tab + 1;
    return field;
}

bool safeText(const std::string& text) {
    return std::none_of(text.begin(), text.end(),
                        [](char c) { return c == '\t' || c == '\n' || c == '\r' || c == '\0'; });
}

/// Applies one key=value field to `e`; false if the value is malformed.
bool applyField(IndexEntry& e, std::string_view key, std::string_view value) {
    long long n = 0;
    auto time = [&](std::time_t& t) {
        if (!parseNumber(value, n))
            return false;
        t = static_cast<std::time_t>(n);
        return true;
    };
    auto small = [&](long long max, auto& target) {
        if (!parseNumber(value, n) || n > max)
            return false;
        target = static_cast<std::remove_reference_t<decltype(target)>>(n);
        return true;
    };
    auto stamp = [&](FileStamp& s) {
        auto parsed = FileStamp::parse(value);
        if (parsed)
            s = *parsed;
        return parsed.has_value();
    };
    if (key == "cfg"sv)
        return stamp(e.config);
    if (key == "dom"sv)
        return e.domains.assign(value.data(), value.size()), true;
    if (key == "st"sv)
        return stamp(e.state);
    if (key == "files"sv)
        return parseHex64(value, e.files);
    if (key == "sum"sv)
        return (e.hasContent = parseHexBytes(value, e.content));
    const std::pair<std::string_view, std::time_t IndexEntry::*> times[] = {
        {"nb", &IndexEntry::notBefore},        {"na", &IndexEntry::notAfter},
        {"chain", &IndexEntry::chainNotAfter}, {"renew", &IndexEntry::renewAt},
        {"ver", &IndexEntry::verified},        {"chk", &IndexEntry::checked},
        {"rd", &IndexEntry::reread},           {"probe", &IndexEntry::probed},
        {"ok", &IndexEntry::lastSuccess},      {"fail", &IndexEntry::lastFailure},
        {"ari", &IndexEntry::ariRenewAt}};
    for (const auto& [name, member] : times)
        if (key == name)
            return time(e.*member);
    if (key == "v"sv)
        return small(999999, e.version);
    if (key == "ph"sv)
        return small(static_cast<long long>(Phase::Failed), e.phase);
    if (key == "inst"sv)
        return small(255, e.installer);
    if (key == "served"sv)
        return small(IndexEntry::kServedOther, e.served);
    if (key == "quiet"sv)
        return small(1, e.quiet);
    if (key == "idle"sv)
        return small(1, e.notDue);
    return true; // a newer agent's field
}

std::string entryLine(const IndexEntry& e) {
    std::string line = "c\t" + e.name;
    auto add = [&line](const char* key, const std::string& value) {
        line += '\t';
        line += key;
        line += '=';
        line += value;
    };
    auto num = [&add](const char* key, long long v) { add(key, std::to_string(v)); };
    add("cfg", e.config.text());
    add("dom", e.domains);
    num("inst", e.installer);
    add("st", e.state.text());
    num("ph", static_cast<long long>(e.phase));
    num("ok", e.lastSuccess);
    num("fail", e.lastFailure);
    if (e.ariRenewAt)
        num("ari", e.ariRenewAt);
    num("quiet", e.quiet);
    num("v", e.version);
    add("files", hex64(e.files));
    if (e.hasContent)
        add("sum", hexBytes(e.content));
    num("nb", e.notBefore);
    num("na", e.notAfter);
    num("chain", e.chainNotAfter);
    num("renew", e.renewAt);
    num("idle", e.notDue);
    num("ver", e.verified);
    num("chk", e.checked);
    num("rd", e.reread);
    num("probe", e.probed);
    num("served", e.served);
    return line + '\n';
}

} // namespace certagent::store::detail
