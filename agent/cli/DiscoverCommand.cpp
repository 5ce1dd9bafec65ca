#include "cli/Commands.h"
#include "core/Discovery.h"
#include "core/RunSupport.h"
#include "util/Text.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/StringTokenizer.h>

#include <iostream>

namespace certagent::cli {

namespace {

/// What one server said: its names, or why it could not say.
struct ServerReport {
    config::InstallerKind kind;
    std::vector<core::DiscoveredName> names;
    std::string error;
};

std::optional<config::InstallerKind> installerOption(const Args& args) {
    if (!args.has("--installer"))
        return std::nullopt;
    std::string value = args.value("--installer");
    for (const auto& [word, kind] : config::installerKinds())
        if (value == word && kind != config::InstallerKind::None)
            return kind;
    throw ConfigError("discover: --installer: expected nginx or apache, not \"" +
                      escapeForLog(value, 80) + "\"");
}

std::string certificateLine(const core::DiscoveredName& n) {
    const core::ServedCertificate& c = n.certificate;
    if (n.served.certFile.empty())
        return "no certificate configured";
    std::string line = "certificate " + escapeForLog(n.served.certFile, 300) + ": ";
    if (!c.problem.empty())
        return line + "cannot read it: " + escapeForLog(c.problem);
    line += c.subject + "; issuer " + c.issuer + "; not after " + c.notAfter + " (" +
            std::to_string(c.daysLeft) + " days); " + c.keyType + "; " +
            (c.chainProblem.empty() ? "chain verifies"
                                    : "chain does NOT verify: " + escapeForLog(c.chainProblem));
    return line + "; " +
           (n.managedBy.empty() ? "not managed by certagent"
                                : "managed by certagent (" + escapeForLog(n.managedBy, 80) + ")");
}

void printTable(const std::vector<ServerReport>& reports) {
    bool unmanaged = false;
    for (const ServerReport& r : reports) {
        if (!r.error.empty())
            continue; // logged on stderr
        std::cout << config::installerName(r.kind) << ":"
                  << (r.names.empty() ? " no TLS listen address\n" : "\n");
        for (const core::DiscoveredName& n : r.names) {
            std::cout << "  " << core::servedLine(n.served) << "\n    " << certificateLine(n)
                      << "\n";
            unmanaged = unmanaged || (n.managedBy.empty() && !n.served.name.empty());
        }
    }
    if (unmanaged)
        std::cout << "\nTo take names over: certagent discover --write NAME --domains NAME1,NAME2 "
                     "[--order-id ID | --product-id ID]\n";
}

Poco::JSON::Object certificateJson(const core::DiscoveredName& n) {
    const core::ServedCertificate& c = n.certificate;
    Poco::JSON::Object o;
    o.set("file", n.served.certFile);
    o.set("key_file", n.served.keyFile);
    o.set("error", c.problem);
    if (!c.problem.empty() || n.served.certFile.empty())
        return o;
    o.set("subject", c.subject);
    o.set("issuer", c.issuer);
    o.set("not_after", c.notAfter);
    o.set("days_left", c.daysLeft);
    o.set("key_type", c.keyType);
    Poco::JSON::Array names;
    for (const std::string& name : c.names)
        names.add(name);
    o.set("names", names);
    o.set("chain_verifies", c.chainProblem.empty());
    o.set("chain_error", c.chainProblem);
    return o;
}

void printJson(const std::vector<ServerReport>& reports) {
    Poco::JSON::Array servers;
    for (const ServerReport& r : reports) {
        Poco::JSON::Object server;
        server.set("installer", std::string(config::installerName(r.kind)));
        server.set("error", r.error);
        Poco::JSON::Array names;
        for (const core::DiscoveredName& n : r.names) {
            Poco::JSON::Object o;
            o.set("address", n.served.address);
            o.set("name", n.served.name);
            o.set("block", n.served.block);
            o.set("why", n.served.why);
            o.set("certificate", certificateJson(n));
            o.set("managed_by", n.managedBy);
            names.add(o);
        }
        server.set("names", names);
        servers.add(server);
    }
    Poco::JSON::Object out;
    out.set("servers", servers);
    Poco::JSON::Stringifier::stringify(out, std::cout, 2);
    std::cout << "\n";
}

int writeCertFile(Session& s, const Args& args) {
    core::CertFileRequest request;
    request.name = args.value("--write");
    Poco::StringTokenizer names(args.value("--domains"), ",",
                                Poco::StringTokenizer::TOK_TRIM |
                                    Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    request.domains.assign(names.begin(), names.end());
    request.installer = installerOption(args);
    request.orderId = args.value("--order-id");
    request.productId = args.value("--product-id");
    core::WrittenCertFile written = core::writeCertFile(s.context(), request);
    for (const std::string& note : written.notes)
        core::logger().warning(written.cert.name + ": " + note);
    std::cout << "wrote " << escapeForLog(written.path) << " (" << written.cert.domains.size()
              << " name(s), installer = " << config::installerName(written.cert.installer)
              << ", key = " << written.cert.keyType << ")\n";
    return kExitOk;
}

} // namespace

int discoverCommand(const Globals& g, const std::vector<std::string>& argv,
                    const core::InstallerFactory& installers) {
    Args args = parseArgs("discover", argv, {"--json"},
                          {"--installer", "--write", "--domains", "--order-id", "--product-id"});
    if (!args.positional.empty())
        throw ConfigError("discover: unexpected argument \"" +
                          escapeForLog(args.positional[0], 80) + "\" (see certagent --help)");
    bool write = args.has("--write");
    for (const char* option : {"--domains", "--order-id", "--product-id"})
        if (!write && args.has(option))
            throw ConfigError(std::string("discover: ") + option + " goes with --write NAME");
    if (write && !args.has("--domains"))
        throw ConfigError("discover: --write needs --domains NAME1,NAME2");
    std::optional<config::InstallerKind> only = installerOption(args);
    Session s(g, installers, config::NeedCredentials::No, false);
    if (write)
        return writeCertFile(s, args);
    std::vector<ServerReport> reports;
    int worst = kExitOk;
    bool answered = false;
    for (config::InstallerKind kind : core::serversToDiscover(s.config(), only)) {
        ServerReport report{kind, {}, {}};
        try {
            report.names = core::discoverServed(s.context(), kind);
            answered = true;
        } catch (const Error& e) { // the other server may still answer
            report.error = std::string(config::installerName(kind)) +
                           ": cannot tell what it serves: " + escapeForLog(e.what());
            // As verify: a configuration problem is 2; a server that cannot say needs a human.
            worst = worseExit(worst, e.exitCode() == kExitUsage ? kExitUsage : kExitRefused);
        }
        reports.push_back(std::move(report));
    }
    // Not asked for by name, an installed server that cannot say (a package installed but not
    // set up) only warns while the other one answered.
    bool fails = only || !answered;
    for (const ServerReport& r : reports) {
        if (r.error.empty())
            continue;
        if (fails)
            core::logger().error(r.error);
        else
            core::logger().warning(r.error);
    }
    if (g.json || args.has("--json"))
        printJson(reports);
    else
        printTable(reports);
    return fails ? worst : kExitOk;
}

} // namespace certagent::cli
