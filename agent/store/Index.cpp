#include "store/Index.h"

#include "store/IndexText.h"
#include "util/Error.h"
#include "util/FileIo.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <string_view>
#include <sys/stat.h>
#include <type_traits>
#include <unistd.h>

namespace certagent::store {

namespace {

using namespace detail;
using namespace std::string_view_literals;

/// Reads a file line by line through a fixed buffer (an index of 10 000 certificates is a few
/// MB; it is never held whole).
class LineReader {
  public:
    explicit LineReader(int fd) : m_fd(fd) {}
    /// The next line without its '\n'; false at the end, on a read error or an overlong line
    /// (`m_bad`).
    bool next(std::string& line) {
        line.clear();
        for (;;) {
            if (m_pos == m_len && !fill())
                return !line.empty() && (m_bad = true, false); // no final newline: torn
            const char* start = m_buf + m_pos;
            const void* nl = std::memchr(start, '\n', m_len - m_pos);
            std::size_t take = nl ? static_cast<const char*>(nl) - start : m_len - m_pos;
            line.append(start, take);
            m_pos += take + (nl ? 1 : 0);
            if (line.size() > kMaxLine || (m_total += take + 1) > kMaxBytes)
                return (m_bad = true), false;
            if (nl)
                return true;
        }
    }
    bool bad() const { return m_bad; }

  private:
    bool fill() {
        ssize_t n;
        do
            n = ::read(m_fd, m_buf, sizeof m_buf);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            m_bad = true;
        m_pos = 0;
        m_len = n > 0 ? static_cast<std::size_t>(n) : 0;
        return n > 0;
    }

    int m_fd;
    char m_buf[64 * 1024];
    std::size_t m_pos = 0, m_len = 0, m_total = 0;
    bool m_bad = false;
};

/// Parses the index from `fd`; false (with `why`) if anything is off.
bool parse(int fd, Index& index, std::vector<IndexEntry>& entries,
           std::map<std::string, std::string>& hooks, std::string& why) {
    auto reader = std::make_unique<LineReader>(fd);
    Checksum sum;
    std::string line;
    if (!reader->next(line) ||
        line.compare(0, std::string(kMagic).size() + 1, std::string(kMagic) + " ") != 0)
        return (why = "not an index of this version"), false;
    long long count = 0;
    if (!parseNumber(line.substr(std::string(kMagic).size() + 1), count) || count < 0)
        return (why = "bad count"), false;
    entries.reserve(static_cast<std::size_t>(std::min<long long>(count, 1000000)));
    sum.add(line);
    sum.add("\n");
    while (reader->next(line)) {
        std::string_view rest = line;
        std::size_t pos = 0;
        std::string_view kind = nextField(rest, pos);
        if (kind == "end"sv) {
            std::uint64_t recorded = 0;
            if (!parseHex64(nextField(rest, pos), recorded) || pos <= rest.size() ||
                recorded != sum.value)
                return (why = "checksum mismatch"), false;
            if (static_cast<long long>(entries.size()) != count || reader->next(line))
                return (why = "wrong number of entries"), false;
            return true;
        }
        sum.add(line);
        sum.add("\n");
        if (kind == "c"sv && pos <= rest.size()) {
            IndexEntry e;
            std::string_view name = nextField(rest, pos);
            e.name.assign(name.data(), name.size());
            while (pos <= rest.size()) {
                std::string_view field = nextField(rest, pos);
                std::size_t eq = field.find('=');
                if (eq == std::string_view::npos ||
                    !applyField(e, field.substr(0, eq), field.substr(eq + 1)))
                    return (why = "bad field \"" + std::string(field.substr(0, 40)) + "\""), false;
            }
            if (!entries.empty() && entries.back().name >= e.name)
                return (why = "entries out of order"), false;
            entries.push_back(std::move(e));
            continue;
        }
        std::string_view value = nextField(rest, pos);
        std::string_view extra = pos <= rest.size() ? nextField(rest, pos) : std::string_view();
        bool more = pos <= rest.size();
        if (kind == "gate"sv && !more && extra.empty()) {
            index.header.gate.assign(value.data(), value.size());
        } else if (kind == "main"sv) {
            auto stamp = FileStamp::parse(value);
            if (!stamp)
                return (why = "bad main stamp"), false;
            index.header.main = *stamp;
        } else if (kind == "trust"sv) {
            index.header.trust.assign(value.data(), value.size());
        } else if (kind == "h"sv && !more) {
            hooks[std::string(value)] = std::string(extra);
        } else {
            return (why = "unknown line"), false;
        }
    }
    return (why = reader->bad() ? "unreadable or torn" : "no end line"), false;
}

} // namespace

bool sameEntry(const IndexEntry& a, const IndexEntry& b) {
    return a.name == b.name && a.config.text() == b.config.text() && a.domains == b.domains &&
           a.state.text() == b.state.text() && a.files == b.files && a.hasContent == b.hasContent &&
           (!a.hasContent || a.content == b.content) && a.notBefore == b.notBefore &&
           a.notAfter == b.notAfter && a.chainNotAfter == b.chainNotAfter &&
           a.renewAt == b.renewAt && a.verified == b.verified && a.checked == b.checked &&
           a.reread == b.reread && a.probed == b.probed && a.lastSuccess == b.lastSuccess &&
           a.lastFailure == b.lastFailure && a.ariRenewAt == b.ariRenewAt &&
           a.version == b.version && a.phase == b.phase && a.installer == b.installer &&
           a.served == b.served && a.quiet == b.quiet && a.notDue == b.notDue;
}

Index Index::load(const std::string& path, const IndexWarning& warn) {
    Index index;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) {
        if (errno != ENOENT && warn)
            warn("index " + path + " is unreadable (" + errnoText(errno) + "); rebuilding it");
        return index;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
        (st.st_mode & 022) != 0) {
        if (warn)
            warn("index " + path + " is not a private file of this user; ignoring it");
        Index empty;
        empty.m_changed = true;
        return empty;
    }
    std::string why;
    if (!parse(fd.get(), index, index.m_entries, index.m_hooks, why)) {
        if (warn)
            warn("index " + path + " is corrupt (" + why + "); rebuilding it");
        Index empty;
        empty.m_changed = true;
        return empty;
    }
    return index;
}

IndexEntry* Index::find(const std::string& name) {
    auto it =
        std::lower_bound(m_entries.begin(), m_entries.end(), name,
                         [](const IndexEntry& e, const std::string& n) { return e.name < n; });
    return it != m_entries.end() && it->name == name ? &*it : nullptr;
}

const IndexEntry* Index::find(const std::string& name) const {
    return const_cast<Index*>(this)->find(name);
}

IndexEntry& Index::entry(const std::string& name) {
    if (IndexEntry* e = find(name))
        return *e;
    m_changed = true;
    auto it =
        std::lower_bound(m_entries.begin(), m_entries.end(), name,
                         [](const IndexEntry& e, const std::string& n) { return e.name < n; });
    IndexEntry fresh;
    fresh.name = name;
    return *m_entries.insert(it, std::move(fresh));
}

void Index::retain(const std::vector<std::string>& names) {
    auto gone = std::remove_if(m_entries.begin(), m_entries.end(), [&names](const IndexEntry& e) {
        return !std::binary_search(names.begin(), names.end(), e.name);
    });
    if (gone != m_entries.end()) {
        m_entries.erase(gone, m_entries.end());
        m_changed = true;
    }
    for (auto it = m_hooks.begin(); it != m_hooks.end();) {
        bool keep = std::binary_search(names.begin(), names.end(), it->first);
        m_changed = m_changed || !keep;
        it = keep ? std::next(it) : m_hooks.erase(it);
    }
}

const std::string& Index::deployHook(const std::string& name) const {
    static const std::string kNone;
    auto it = m_hooks.find(name);
    return it == m_hooks.end() ? kNone : it->second;
}

void Index::setDeployHook(const std::string& name, const std::string& hook) {
    auto it = m_hooks.find(name);
    if (hook.empty() ? it == m_hooks.end() : it != m_hooks.end() && it->second == hook)
        return;
    if (hook.empty())
        m_hooks.erase(it);
    else
        m_hooks[name] = hook;
    m_changed = true;
}

void Index::write(const std::string& path) {
    if (!m_changed)
        return;
    std::vector<const IndexEntry*> kept;
    for (const auto& e : m_entries)
        if (safeText(e.name) && safeText(e.domains) && !e.name.empty())
            kept.push_back(&e);
    AtomicFile::Options options;
    options.faultPrefix = "store.index";
    options.durable = false; // a cache, checked when read: no fsync on the idle path's disk
    AtomicFile file(path, 0600, options);
    Checksum sum;
    std::string chunk = std::string(kMagic) + " " + std::to_string(kept.size()) + "\n";
    chunk += "gate\t" + (safeText(header.gate) ? header.gate : std::string()) + "\n";
    chunk += "main\t" + header.main.text() + "\n";
    chunk += "trust\t" + (safeText(header.trust) ? header.trust : std::string()) + "\n";
    for (const auto& [name, hook] : m_hooks)
        if (safeText(name) && safeText(hook))
            chunk += "h\t" + name + "\t" + hook + "\n";
    for (const IndexEntry* e : kept) {
        chunk += entryLine(*e);
        if (chunk.size() >= 60 * 1024) {
            sum.add(chunk);
            file.write(chunk);
            chunk.clear();
        }
    }
    sum.add(chunk);
    chunk += "end\t" + hex64(sum.value) + "\n";
    file.write(chunk);
    file.commit();
    m_changed = false;
}

} // namespace certagent::store
