#include "plugins/apache/EditPlan.h"

#include "crypto/ServerFiles.h"
#include "plugins/apache/KeyPairCheck.h"
#include "util/Error.h"

namespace certagent::plugins::apache {

namespace {

std::string certLine(const LivePaths& live) {
    return "SSLCertificateFile " + quoteArg(live.fullchain);
}
std::string keyLine(const LivePaths& live) {
    return "SSLCertificateKeyFile " + quoteArg(live.key);
}

std::string pathOf(const TlsDirective& d, const ConfContext& context) {
    return d.node.args.empty() ? "" : resolvePath(d.node.args[0], context);
}

std::string at(const TlsDirective& d) {
    return d.node.file + ":" + std::to_string(d.node.line);
}

/// The pair Apache serves for the managed key's type (see EditPlan.h).
size_t choosePair(const VirtualHost& vhost, const PlanInput& in) {
    const auto& certs = vhost.certFiles;
    if (certs.size() == 1)
        return 0;
    std::string count = std::to_string(certs.size());
    if (in.keyFamily.empty())
        throw ConfigError("apache: the block at " + vhost.where() + " has " + count +
                          " SSLCertificateFile/KeyFile pairs and the key type of " + in.certName +
                          " is unknown; point the block at one certificate by hand first");
    std::string kinds;
    size_t chosen = certs.size();
    for (size_t i = 0; i < certs.size(); ++i) {
        std::string family = keyFamilyOfCertFile(pathOf(certs[i], in.context));
        kinds += (kinds.empty() ? "" : ", ") + (family.empty() ? "unknown" : family);
        if (family == in.keyFamily)
            chosen = i;
    }
    if (chosen == certs.size())
        throw ConfigError("apache: the block at " + vhost.where() + " serves " + count +
                          " certificates (" + kinds + ") but none with an " + in.keyFamily +
                          " key like " + in.certName +
                          "'s; add an SSLCertificateFile/SSLCertificateKeyFile pair for it by hand "
                          "first");
    return chosen;
}

/// A pair pointing into another managed certificate's live dir belongs to that certificate.
void checkNotOthers(const VirtualHost& vhost, const TlsDirective* d, const PlanInput& in) {
    if (!d)
        return;
    std::string path = pathOf(*d, in.context);
    for (const std::string& dir : in.otherLiveDirs)
        if (path.compare(0, dir.size() + 1, dir + "/") == 0)
            throw ConfigError("apache: the block at " + vhost.where() + " serves names of " +
                              in.certName + ", but its " + d->node.name + " (" + at(*d) +
                              ") points at " + path + ", which certificate \"" +
                              dir.substr(dir.rfind('/') + 1) +
                              "\" manages; two certificate files claim this block: remove the "
                              "names they share from one of them");
}

LineChange replace(const TlsDirective& d, const std::string& text) {
    return {LineChange::Replace, d.node.line, d.node.lastLine, d.node.name, {text}, ""};
}

/// After `last` as seen from `file`: its own lines when it is written in `file`, else the
/// Include of `file` (the block's own) that brings it in.
LineChange insertAfter(const std::string& file, const TlsDirective& last,
                       std::vector<std::string> directives) {
    if (last.node.file == file)
        return {LineChange::InsertAfter, last.node.line, last.node.lastLine,
                last.node.name,          directives,     ""};
    return {LineChange::InsertAfter, last.viaLine, last.viaLastLine, last.viaName, directives, ""};
}

/// Pairs written before `position` must line up for a pair inserted there to be one.
void checkLinesUp(const VirtualHost& vhost, int position, const std::string& where) {
    size_t certs = 0, keys = 0;
    for (const TlsDirective& d : vhost.certFiles)
        certs += d.position <= position ? 1 : 0;
    for (const TlsDirective& d : vhost.keyFiles)
        keys += d.position <= position ? 1 : 0;
    if (certs != keys)
        throw ConfigError("apache: the block at " + vhost.where() + " has " +
                          std::to_string(certs) + " SSLCertificateFile but " +
                          std::to_string(keys) + " SSLCertificateKeyFile lines up to " + where +
                          ", so a pair added there would not line up (Apache pairs them by "
                          "order); give each certificate its own SSLCertificateKeyFile first");
}

/// With a single pair the old chain lines of the block's own file belonged to the old
/// certificate (the live fullchain carries the new chain).
void removeOldChain(const VirtualHost& vhost, BlockPlan& plan) {
    if (vhost.certFiles.size() != 1)
        return;
    for (const TlsDirective& chain : vhost.chainFiles)
        if (chain.inBlockFile(vhost.file))
            plan.changes[vhost.file].push_back({LineChange::Remove,
                                                chain.node.line,
                                                chain.node.lastLine,
                                                chain.node.name,
                                                {},
                                                ""});
}

/// Pair i is written in `file` (its key line too, or none): point those lines at the live paths.
void planInFile(const VirtualHost& vhost, size_t i, const std::string& file, const PlanInput& in,
                BlockPlan& plan) {
    const TlsDirective& cert = vhost.certFiles[i];
    auto& changes = plan.changes[file];
    changes.push_back(replace(cert, certLine(in.live)));
    if (i < vhost.keyFiles.size()) {
        changes.push_back(replace(vhost.keyFiles[i], keyLine(in.live)));
    } else {
        // The key was in the certificate file: its new line must become the i-th key line.
        if (!vhost.keyFiles.empty() && vhost.keyFiles.back().position > cert.position)
            checkLinesUp(vhost, cert.position, at(cert));
        changes.push_back(insertAfter(file, cert, {keyLine(in.live)}));
    }
    removeOldChain(vhost, plan);
}

void planShared(const VirtualHost& vhost, size_t i, const PlanInput& in, BlockPlan& plan) {
    const TlsDirective& cert = vhost.certFiles[i];
    const TlsDirective* key = i < vhost.keyFiles.size() ? &vhost.keyFiles[i] : nullptr;
    const std::string& snippet = (cert.inBlockFile(vhost.file) ? *key : cert).node.file;
    bool conffile = in.isConffile(snippet);
    bool onePlace = cert.node.file == snippet && (!key || key->node.file == snippet);
    if (onePlace && !conffile && in.onlyCoveredInclude(snippet)) {
        planInFile(vhost, i, snippet, in, plan);
        return;
    }
    const TlsDirective& last = key && key->position > cert.position ? *key : cert;
    LineChange pair = insertAfter(vhost.file, last, {certLine(in.live), keyLine(in.live)});
    checkLinesUp(vhost, last.position, vhost.file + ":" + std::to_string(pair.line));
    plan.changes[vhost.file].push_back(pair);
    plan.pairsAfter = static_cast<int>(vhost.certFiles.size()) + 1;
}

} // namespace

BlockPlan planBlock(const VirtualHost& vhost, const PlanInput& in) {
    BlockPlan plan;
    plan.pairsAfter = static_cast<int>(vhost.certFiles.size());
    if (vhost.keyFiles.size() > vhost.certFiles.size())
        throw ConfigError("apache: the block at " + vhost.where() +
                          " has more SSLCertificateKeyFile than SSLCertificateFile lines; "
                          "pair them by hand first");
    if (vhost.certFiles.empty()) {
        plan.changes[vhost.file].push_back({LineChange::InsertBefore,
                                            vhost.endLine,
                                            vhost.endLine,
                                            "</",
                                            {certLine(in.live), keyLine(in.live)},
                                            vhost.indent});
        plan.pairsAfter = 1;
        return plan;
    }
    size_t i = choosePair(vhost, in);
    const TlsDirective& cert = vhost.certFiles[i];
    const TlsDirective* key = i < vhost.keyFiles.size() ? &vhost.keyFiles[i] : nullptr;
    checkNotOthers(vhost, &cert, in);
    checkNotOthers(vhost, key, in);
    bool live = pathOf(cert, in.context) == in.live.fullchain && key &&
                pathOf(*key, in.context) == in.live.key;
    if (live) {
        removeOldChain(vhost, plan);
        return plan;
    }
    if (cert.inBlockFile(vhost.file) && (!key || key->inBlockFile(vhost.file)))
        planInFile(vhost, i, vhost.file, in, plan);
    else
        planShared(vhost, i, in, plan);
    return plan;
}

} // namespace certagent::plugins::apache
