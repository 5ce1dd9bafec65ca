#include "plugins/nginx/ConfigFiles.h"

#include "util/Error.h"

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::plugins::nginx {

namespace {

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0)
            ::close(fd);
    }
};

[[noreturn]] void ioFail(const std::string& what, const std::string& path) {
    throw IoError(what + " " + path + ": " + errnoText(errno));
}

void writeAllFd(int fd, const std::string& data, const std::string& path) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            ioFail("writing", path);
        done += static_cast<size_t>(n);
    }
}

void fsyncDirOf(const std::string& path) {
    std::string dir = path.substr(0, path.rfind('/') == 0 ? 1 : path.rfind('/'));
    Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (d.fd < 0 || ::fsync(d.fd) != 0)
        ioFail("syncing directory", dir);
}

void mkdirs(const std::string& path, mode_t mode) {
    for (size_t pos = 1; pos != std::string::npos;) {
        pos = path.find('/', pos + 1);
        std::string part = path.substr(0, pos);
        if (::mkdir(part.c_str(), mode) != 0 && errno != EEXIST)
            ioFail("creating", part);
    }
}

/// Writes a new file with exactly `mode` and owner.
void writeNewFile(const std::string& path, const std::string& content, mode_t mode, uid_t uid,
                  gid_t gid) {
    Fd f{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
    if (f.fd < 0)
        ioFail("creating", path);
    if (::fchown(f.fd, uid, gid) != 0 || ::fchmod(f.fd, mode & 07777) != 0)
        ioFail("setting owner/mode of", path);
    writeAllFd(f.fd, content, path);
    if (::fsync(f.fd) != 0)
        ioFail("syncing", path);
}

std::string lineIndent(const std::string& text, size_t offset) {
    size_t lineStart = text.rfind('\n', offset == 0 ? 0 : offset - 1);
    lineStart = lineStart == std::string::npos || offset == 0 ? 0 : lineStart + 1;
    size_t end = lineStart;
    while (end < text.size() && (text[end] == ' ' || text[end] == '\t'))
        ++end;
    return text.substr(lineStart, end - lineStart);
}

/// Insertion of the missing directives right after `server {`.
Edit insertAfterBrace(const ServerBlock& block, const std::string& text, const std::string& lines) {
    const Directive& server = *block.node;
    size_t pos = server.openBrace + 1;
    size_t eol = text.find('\n', pos);
    size_t rest = text.find_first_not_of(" \t\r", pos);
    bool braceEndsLine = eol != std::string::npos && (rest == eol || text[rest] == '#');
    if (!braceEndsLine) {
        std::string sameLine = " " + lines;
        std::replace(sameLine.begin(), sameLine.end(), '\n', ' ');
        return Edit{server.file, pos, pos, sameLine.substr(0, sameLine.size() - 1)};
    }
    std::string nl = eol > 0 && text[eol - 1] == '\r' ? "\r\n" : "\n";
    std::string indent = lineIndent(text, server.begin) + "    ";
    for (const Directive& child : server.children)
        if (child.file == server.file && child.begin > eol) {
            indent = lineIndent(text, child.begin);
            break;
        }
    std::string out;
    std::istringstream in(lines);
    for (std::string line; std::getline(in, line, '\n');)
        out += indent + line + nl;
    return Edit{server.file, eol + 1, eol + 1, out};
}

/// The edit for one directive kind; appends to `missing` when the block lacks it.
void planDirective(const std::vector<const Directive*>& found, const std::string& name,
                   const std::string& value, const ServerBlock& block, std::vector<Edit>& edits,
                   std::string& missing) {
    if (found.size() > 1)
        throw ConfigError(found[1]->where() + ": several " + name +
                          " directives in the server block at " + block.node->where() +
                          " are not supported; keep one");
    std::string quoted = quoteValue(value);
    if (found.empty()) {
        missing += name + " " + quoted + ";\n";
        return;
    }
    const Directive& d = *found.front();
    if (d.args.size() != 1)
        throw ConfigError(d.where() + ": " + name + " must have exactly one argument");
    if (d.args[0].value == value)
        return;
    if (d.args[0].value.find('$') != std::string::npos)
        throw ConfigError(d.where() + ": " + name + " uses variables; set it by hand to " + value);
    edits.push_back(Edit{d.file, d.args[0].begin, d.args[0].end, quoted});
}

} // namespace

std::vector<Edit> planBlockEdits(const ServerBlock& block, const DumpFiles& files,
                                 const std::string& certPath, const std::string& keyPath) {
    std::vector<Edit> edits;
    std::string missing;
    planDirective(block.certificates, "ssl_certificate", certPath, block, edits, missing);
    planDirective(block.keys, "ssl_certificate_key", keyPath, block, edits, missing);
    if (!missing.empty())
        edits.push_back(insertAfterBrace(block, files.contents.at(block.node->file), missing));
    return edits;
}

std::string applyEdits(const std::string& text, std::vector<Edit> edits) {
    std::sort(edits.begin(), edits.end(),
              [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
    std::string out = text;
    size_t limit = text.size();
    for (const Edit& e : edits) {
        if (e.end > limit || e.begin > e.end)
            throw ConfigError(e.file + ": overlapping edits at offset " + std::to_string(e.begin));
        out.replace(e.begin, e.end - e.begin, e.text);
        limit = e.begin;
    }
    return out;
}

FileSnapshot snapshotFile(const std::string& path) {
    FileSnapshot snap;
    snap.path = path;
    char resolved[PATH_MAX];
    if (!::realpath(path.c_str(), resolved))
        ioFail("resolving", path);
    snap.realPath = resolved;
    Fd f{::open(resolved, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
    struct stat st {};
    if (f.fd < 0 || ::fstat(f.fd, &st) != 0)
        ioFail("opening", snap.realPath);
    if (!S_ISREG(st.st_mode))
        throw IoError(snap.realPath + " is not a regular file");
    snap.mode = st.st_mode & 07777;
    snap.uid = st.st_uid;
    snap.gid = st.st_gid;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(f.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            ioFail("reading", snap.realPath);
        if (n == 0)
            break;
        snap.content.append(buf, static_cast<size_t>(n));
    }
    return snap;
}

void replaceFile(const FileSnapshot& like, const std::string& content) {
    size_t slash = like.realPath.rfind('/');
    std::string tmpl = like.realPath.substr(0, slash + 1) + "." + like.realPath.substr(slash + 1) +
                       ".certagent-XXXXXX";
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    Fd f{::mkostemp(name.data(), O_CLOEXEC)};
    if (f.fd < 0)
        ioFail("creating a temporary file next to", like.realPath);
    std::string tmp(name.data());
    try {
        if (::fchown(f.fd, like.uid, like.gid) != 0 || ::fchmod(f.fd, like.mode) != 0)
            ioFail("setting owner/mode of", tmp);
        writeAllFd(f.fd, content, tmp);
        if (::fsync(f.fd) != 0)
            ioFail("syncing", tmp);
        if (::rename(tmp.c_str(), like.realPath.c_str()) != 0)
            ioFail("renaming over", like.realPath);
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    fsyncDirOf(like.realPath);
}

std::string writeBackup(const std::string& storeDir, const std::vector<FileSnapshot>& files) {
    std::string base = storeDir + "/backup/nginx";
    mkdirs(base, 0700);
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    std::string dir = base + "/" + stamp;
    for (int n = 2; ::mkdir(dir.c_str(), 0700) != 0; ++n) {
        if (errno != EEXIST || n > 1000)
            ioFail("creating", dir);
        dir = base + "/" + stamp + "-" + std::to_string(n);
    }
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const FileSnapshot& f : files) {
        std::string copy = dir + f.realPath;
        mkdirs(copy.substr(0, copy.rfind('/')), 0700);
        writeNewFile(copy, f.content, f.mode, f.uid, f.gid);
        Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
        entry->set("path", f.path);
        entry->set("real_path", f.realPath);
        entry->set("backup", copy);
        entry->set("mode", static_cast<int>(f.mode));
        entry->set("uid", static_cast<int>(f.uid));
        entry->set("gid", static_cast<int>(f.gid));
        entry->set("size", static_cast<Poco::UInt64>(f.content.size()));
        list->add(entry);
    }
    Poco::JSON::Object manifest;
    manifest.set("created", std::string(stamp));
    manifest.set("files", list);
    std::ostringstream json;
    manifest.stringify(json, 2);
    writeNewFile(dir + "/manifest.json", json.str() + "\n", 0600, ::geteuid(), ::getegid());
    fsyncDirOf(dir + "/manifest.json");
    return dir;
}

} // namespace certagent::plugins::nginx
