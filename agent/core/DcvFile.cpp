#include "core/DcvFile.h"

#include "util/Error.h"
#include "util/FileIo.h"
#include "util/Text.h"

#include <Poco/String.h>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <regex>
#include <sys/stat.h>
#include <unistd.h>

namespace certagent::core {

namespace {

const char* const kPrefix = "/.well-known/pki-validation/";

[[noreturn]] void refuse(const std::string& context, const std::string& field,
                         const std::string& why) {
    throw RefusedError((context.empty() ? "" : context + ": ") + "dcv " + field + ": " + why);
}

bool validFileName(const std::string& name) {
    static const std::regex re("[A-Za-z0-9_-]{1,64}\\.txt");
    return std::regex_match(name, re);
}

std::vector<std::string> splitLines(const std::string& content) {
    std::vector<std::string> lines;
    std::string cur;
    for (std::size_t i = 0; i < content.size(); ++i) {
        char c = content[i];
        if (c == '\r' && i + 1 < content.size() && content[i + 1] == '\n')
            continue;
        if (c == '\n') {
            lines.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty())
        lines.push_back(cur);
    return lines;
}

void checkContent(const std::string& content, const std::string& context) {
    if (content.empty())
        refuse(context, "content", "empty");
    if (content.size() > 600)
        refuse(context, "content", "longer than 600 bytes");
    for (std::size_t i = 0; i < content.size(); ++i) {
        unsigned char c = content[i];
        bool ok = std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '\n' ||
                  (c == '\r' && i + 1 < content.size() && content[i + 1] == '\n');
        if (!ok)
            refuse(context, "content",
                   "character not allowed in a validation file: \"" +
                       escapeForLog(content.substr(i, 1)) + "\"");
    }
    auto lines = splitLines(content);
    if (lines.size() > 4)
        refuse(context, "content", "more than 4 lines");
    for (const auto& line : lines)
        if (line.size() > 128)
            refuse(context, "content", "line longer than 128 characters");
}

std::string checkLink(const std::string& link, const std::string& fileName,
                      const std::vector<std::string>& names, const std::string& context) {
    std::string rest;
    if (link.compare(0, 7, "http://") == 0)
        rest = link.substr(7);
    else if (link.compare(0, 8, "https://") == 0)
        rest = link.substr(8);
    else
        refuse(context, "link", "not an http(s) URL: \"" + escapeForLog(link, 200) + "\"");
    auto slash = rest.find('/');
    std::string host = Poco::toLower(rest.substr(0, slash));
    std::string path = slash == std::string::npos ? "" : rest.substr(slash);
    if (std::find(names.begin(), names.end(), host) == names.end())
        refuse(context, "link",
               "host \"" + escapeForLog(host, 200) + "\" is not one of the order's names");
    if (path != kPrefix + fileName)
        refuse(context, "link",
               "path \"" + escapeForLog(path, 200) + "\" is not " + kPrefix + fileName);
    return host;
}

/// Opens (creating if missing) directory `name` below `parent` without following a symlink,
/// and checks its owner.
UniqueFd openSubdir(int parent, const char* name, uid_t webrootOwner, const std::string& display) {
    if (::mkdirat(parent, name, 0755) == 0) {
        UniqueFd fd(::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd.valid())
            throw IoError(display + ": " + errnoText(errno));
        ::fchmod(fd.get(), 0755);
        return fd;
    }
    if (errno != EEXIST) {
        throw IoError(display + ": cannot create: " + errnoText(errno));
    }
    UniqueFd fd(::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) {
        int err = errno;
        if (err == ELOOP || err == ENOTDIR)
            throw RefusedError(display + ": is a symlink or not a directory; refusing to follow");
        throw IoError(display + ": " + errnoText(err));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        throw IoError(display + ": " + errnoText(errno));
    if (st.st_uid != 0 && st.st_uid != webrootOwner)
        throw RefusedError(display + ": owned by uid " + std::to_string(st.st_uid) +
                           ", not root or the web root's owner");
    return fd;
}

bool sameContent(int dir, const std::string& name, const std::string& content) {
    UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid())
        return false;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size != static_cast<off_t>(content.size()))
        return false;
    std::string buf(content.size(), '\0');
    return ::read(fd.get(), buf.data(), buf.size()) == static_cast<ssize_t>(buf.size()) &&
           buf == content;
}

} // namespace

DcvFile validateHttpDcv(const api::DcvInfo& info, const std::string& expectedMethod,
                        const std::vector<std::string>& orderNames,
                        const crypto::SectigoDcv* expected, const std::string& context) {
    if (info.method != expectedMethod)
        refuse(context, "method",
               "\"" + escapeForLog(info.method, 40) + "\" is not the configured " + expectedMethod);
    if (!validFileName(info.fileName))
        refuse(context, "filename",
               "\"" + escapeForLog(info.fileName, 200) + "\" is not a plain .txt name");
    checkContent(info.content, context);
    DcvFile file;
    file.fileName = info.fileName;
    file.content = info.content;
    file.host = checkLink(info.link, info.fileName, orderNames, context);
    if (expected) {
        if (Poco::icompare(info.fileName, expected->fileName) != 0)
            refuse(context, "filename",
                   info.fileName + " differs from the MD5 of our CSR (" + expected->fileName + ")");
        auto lines = splitLines(info.content);
        if (lines.empty() || Poco::icompare(lines[0], expected->fileFirstLine) != 0)
            refuse(context, "content", "first line differs from the SHA-256 of our CSR");
    }
    return file;
}

PlacedFile placeDcvFile(const std::string& webroot, const DcvFile& file) {
    if (!validFileName(file.fileName))
        throw RefusedError("dcv filename: not a plain .txt name");
    UniqueFd root(::open(webroot.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid())
        throw IoError("web root " + webroot + ": " + errnoText(errno));
    struct stat st {};
    if (::fstat(root.get(), &st) != 0)
        throw IoError("web root " + webroot + ": " + errnoText(errno));
    std::string wk = webroot + "/.well-known";
    auto wellKnown = openSubdir(root.get(), ".well-known", st.st_uid, wk);
    auto pki = openSubdir(wellKnown.get(), "pki-validation", st.st_uid, wk + "/pki-validation");
    PlacedFile placed;
    placed.path = webroot + kPrefix + file.fileName;
    UniqueFd fd(::openat(pki.get(), file.fileName.c_str(),
                         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd.valid()) {
        int err = errno;
        if (err == EEXIST && sameContent(pki.get(), file.fileName, file.content))
            return placed;
        if (err == EEXIST)
            throw RefusedError(placed.path + ": exists with other content (or is a symlink)");
        throw IoError(placed.path + ": cannot create: " + errnoText(err));
    }
    placed.created = true;
    try {
        if (::fchmod(fd.get(), 0644) != 0)
            throw IoError(placed.path + ": chmod: " + errnoText(errno));
        writeAll(fd.get(), file.content, placed.path);
        fsyncFd(fd.get(), placed.path);
    } catch (...) {
        ::unlinkat(pki.get(), file.fileName.c_str(), 0);
        throw;
    }
    return placed;
}

bool removeDcvFile(const std::string& path) noexcept {
    auto pos = path.rfind(kPrefix);
    if (pos == std::string::npos)
        return false;
    std::string name = path.substr(pos + std::string(kPrefix).size());
    if (!validFileName(name))
        return false;
    std::string webroot = path.substr(0, pos);
    UniqueFd root(::open(webroot.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid())
        return errno == ENOENT;
    UniqueFd wk(
        ::openat(root.get(), ".well-known", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!wk.valid())
        return errno == ENOENT;
    UniqueFd pki(
        ::openat(wk.get(), "pki-validation", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!pki.valid())
        return errno == ENOENT;
    if (::unlinkat(pki.get(), name.c_str(), 0) == 0)
        return true;
    return errno == ENOENT;
}

} // namespace certagent::core
