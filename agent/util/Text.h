#pragma once

#include <string>
#include <string_view>

namespace certagent {

/// How much escapeForLog escapes.
enum class Escape {
    /// Untrusted text going into one line: everything that is not printable.
    Full,
    /// A whole message about to be printed (the log sink, the top-level error, raw API output):
    /// only what a terminal acts on; backslash, tab and line feed pass, so text escaped with
    /// Full (and intended line breaks) come out unchanged.
    TerminalOnly,
};

/// Makes untrusted text safe for one log line or exception text: printable ASCII and valid UTF-8
/// pass through; backslash, control characters (NUL, ESC, CR, LF, DEL, C1) and invalid UTF-8
/// bytes become \\, \n, \r, \t, \xNN escapes (with Escape::TerminalOnly backslash, tab and LF
/// pass); the result is cut after `maxBytes` bytes of input with a trailing "..." marker. Never
/// throws.
std::string escapeForLog(std::string_view text, std::size_t maxBytes = 512,
                         Escape mode = Escape::Full);

/// Replaces the values of `auth_key=`, `user=`, `pass=` (query/form encoding, up to the next
/// `&`, whitespace or quote) and of the JSON members "key", "auth_key", "user", "pass" (string
/// values) with `***`. Used on URLs, form bodies and raw API replies before anyone shows them.
std::string redact(std::string_view text);

/// True if `text` is valid UTF-8 without NUL.
bool isValidUtf8(std::string_view text);

} // namespace certagent
