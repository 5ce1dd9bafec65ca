#include "TestEnv.h"

#include "Processes.h"
#include "util/Subprocess.h"

#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Path.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

extern char** environ;

namespace certagent::test {

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/certagent-test-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed");
    m_path = templ;
    registerTestPrefix(m_path); // the end-of-suite check looks for processes left below it
}

TempDir::~TempDir() {
    try {
        Poco::File(m_path).remove(true);
    } catch (...) {
    }
}

std::string envPath(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v)
        throw std::runtime_error(std::string(name) + " is not set (run the test through ctest)");
    return v;
}

void writeFile(const std::string& path, const std::string& content, unsigned mode) {
    Poco::File(Poco::Path(path).parent()).createDirectories();
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << content;
        if (!out)
            throw std::runtime_error("cannot write " + path);
    }
    ::chmod(path.c_str(), mode);
}

std::vector<std::string> listDir(const std::string& dir) {
    std::vector<std::string> out;
    Poco::File d(dir);
    if (d.exists() && d.isDirectory())
        d.list(out);
    return out;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool exists(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
}

CommandOutput runCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extraEnv, int timeoutSeconds) {
    SubprocessOptions options;
    options.timeout = std::chrono::seconds(timeoutSeconds);
    options.outputCap = 16 << 20;
    for (char** e = environ; *e; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq != std::string::npos)
            options.env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& kv : extraEnv) {
        auto eq = kv.find('=');
        options.env[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    }
    SystemCommandRunner runner;
    SubprocessResult r = runner.run(argv, options);
    CommandOutput out;
    out.exitCode = r.timedOut ? -2 : (r.signal ? 128 + r.signal : r.exitCode);
    out.output = r.output;
    return out;
}

int freePort() {
    // The kernel may hand out the same free port twice in a row (nothing is bound to it between
    // the calls), and fixtures take several before starting their servers (pebble once got its
    // DNS server's port): a port is handed out once per test process.
    static std::mutex mutex;
    static std::set<int> handedOut;
    std::lock_guard<std::mutex> lock(mutex);
    for (;;) {
        Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
        int port = socket.address().port();
        socket.close();
        if (handedOut.insert(port).second)
            return port;
    }
}

void writeDpkgStatus(const std::string& dir, const std::vector<std::string>& paths) {
    std::string status = "Package: test-conffiles\nStatus: install ok installed\nPriority: "
                         "optional\nSection: misc\nMaintainer: t <t@example.test>\n"
                         "Architecture: all\nVersion: 1\nConffiles:\n";
    for (const auto& path : paths)
        status += " " + path + " 0123456789abcdef0123456789abcdef\n";
    writeFile(dir + "/status", status + "Description: conffiles for a test\n\n");
}

std::map<std::string, std::string> jsonFields(const std::string& path) {
    std::map<std::string, std::string> out;
    if (!exists(path))
        return out;
    Poco::JSON::Parser parser;
    auto obj = parser.parse(readFile(path)).extract<Poco::JSON::Object::Ptr>();
    for (const auto& [key, value] : *obj)
        out[key] = value.isArray()   ? std::to_string(obj->getArray(key)->size())
                   : value.isEmpty() ? ""
                                     : value.convert<std::string>();
    return out;
}

} // namespace certagent::test
