#include "util/Text.h"

#include <cstdio>

namespace certagent {
namespace {

/// Length of the valid UTF-8 sequence starting at text[i], or 0 if invalid.
std::size_t utf8Length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char c = byte(i);
    std::size_t len = 0;
    unsigned min = 0;
    if (c < 0x80) {
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > text.size()) {
        return 0;
    }
    unsigned cp = c & (0xFF >> (len + 1));
    for (std::size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

void appendHex(std::string& out, unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02X", c);
    out += buf;
}

bool isKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// Redacts `name=value` (form/query style): value runs to '&', whitespace, quote or end.
void redactForm(std::string& s, const std::string& name) {
    std::size_t pos = 0;
    while ((pos = s.find(name + "=", pos)) != std::string::npos) {
        if (pos > 0 && isKeyChar(s[pos - 1])) {
            pos += name.size();
            continue;
        }
        const std::size_t start = pos + name.size() + 1;
        std::size_t end = start;
        while (end < s.size() && s[end] != '&' && s[end] != ' ' && s[end] != '"' &&
               s[end] != '\'' && s[end] != '\n' && s[end] != '\r' && s[end] != '\t') {
            ++end;
        }
        s.replace(start, end - start, "***");
        pos = start + 3;
    }
}

/// Redacts `"name" : "value"` (JSON string member), honouring backslash escapes in the value.
void redactJson(std::string& s, const std::string& name) {
    const std::string quoted = "\"" + name + "\"";
    std::size_t pos = 0;
    while ((pos = s.find(quoted, pos)) != std::string::npos) {
        std::size_t i = pos + quoted.size();
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) {
            ++i;
        }
        if (i >= s.size() || s[i] != ':') {
            pos = i;
            continue;
        }
        ++i;
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) {
            ++i;
        }
        if (i >= s.size() || s[i] != '"') {
            pos = i;
            continue;
        }
        const std::size_t start = i + 1;
        std::size_t end = start;
        while (end < s.size() && s[end] != '"') {
            end += (s[end] == '\\') ? 2 : 1;
        }
        end = std::min(end, s.size());
        s.replace(start, end - start, "***");
        pos = start + 3;
    }
}

} // namespace

bool isValidUtf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '\0') {
            return false;
        }
        const std::size_t len = utf8Length(text, i);
        if (len == 0) {
            return false;
        }
        i += len;
    }
    return true;
}

std::string escapeForLog(std::string_view text, std::size_t maxBytes, Escape mode) {
    std::string out;
    const std::size_t n = std::min(text.size(), maxBytes);
    out.reserve(n + 8);
    for (std::size_t i = 0; i < n;) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (mode == Escape::TerminalOnly && (c == '\\' || c == '\n' || c == '\t')) {
            out += static_cast<char>(c);
        } else if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7F) {
            appendHex(out, c);
        } else if (c < 0x80) {
            out += static_cast<char>(c);
        } else {
            const std::size_t len = utf8Length(text, i);
            // C1 controls (U+0080..U+009F, "\xC2\x80".."\xC2\x9F") are terminal-active too.
            const bool c1 = len == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0;
            if (len == 0 || i + len > n || c1) {
                appendHex(out, c);
            } else {
                out.append(text.substr(i, len));
                i += len;
                continue;
            }
        }
        ++i;
    }
    if (text.size() > maxBytes) {
        out += "...";
    }
    return out;
}

std::string redact(std::string_view text) {
    std::string s(text);
    for (const char* name : {"auth_key", "user", "pass"}) {
        redactForm(s, name);
    }
    for (const char* name : {"key", "auth_key", "user", "pass"}) {
        redactJson(s, name);
    }
    return s;
}

} // namespace certagent
