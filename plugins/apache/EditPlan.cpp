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

/// The Include (or directive) of the block's own file after which a pair written there comes
/// after every line of the chosen pair.
LineChange insertAfter(const VirtualHost& vhost, const TlsDirective& last, const PlanInput& in) {
    LineChange c{LineChange::InsertAfter, 0, 0, "", {certLine(in.live), keyLine(in.live)}, ""};
    if (last.inBlockFile(vhost.file)) {
        c.line = last.node.line;
        c.lastLine = last.node.lastLine;
        c.expect = last.node.name;
    } else {
        c.line = last.viaLine;
        c.lastLine = last.viaLastLine;
        c.expect = last.viaName;
    }
    return c;
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

void planInPlace(const VirtualHost& vhost, size_t i, const PlanInput& in, BlockPlan& plan) {
    const TlsDirective& cert = vhost.certFiles[i];
    auto& changes = plan.changes[vhost.file];
    changes.push_back(replace(cert, certLine(in.live)));
    if (i < vhost.keyFiles.size()) {
        changes.push_back(replace(vhost.keyFiles[i], keyLine(in.live)));
    } else {
        if (!vhost.keyFiles.empty() && vhost.keyFiles.back().position > cert.position)
            checkLinesUp(vhost, cert.position, at(cert));
        LineChange key = insertAfter(vhost, cert, in);
        key.directives = {keyLine(in.live)};
        changes.push_back(key);
    }
    if (vhost.certFiles.size() == 1) // the old chain belonged to the old certificate
        for (const TlsDirective& chain : vhost.chainFiles)
            if (chain.inBlockFile(vhost.file))
                changes.push_back({LineChange::Remove,
                                   chain.node.line,
                                   chain.node.lastLine,
                                   chain.node.name,
                                   {},
                                   ""});
}

void planShared(const VirtualHost& vhost, size_t i, const PlanInput& in, BlockPlan& plan) {
    const TlsDirective& cert = vhost.certFiles[i];
    const TlsDirective* key = i < vhost.keyFiles.size() ? &vhost.keyFiles[i] : nullptr;
    const TlsDirective& shared = cert.inBlockFile(vhost.file) ? *key : cert;
    const std::string& snippet = shared.node.file;
    bool conffile = in.isConffile(snippet);
    if (key && cert.node.file == snippet && key->node.file == snippet && !conffile &&
        in.onlyCoveredInclude(snippet)) {
        plan.changes[snippet] = {replace(cert, certLine(in.live)), replace(*key, keyLine(in.live))};
        return;
    }
    const TlsDirective& last = key && key->position > cert.position ? *key : cert;
    LineChange pair = insertAfter(vhost, last, in);
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
        if (vhost.certFiles.size() == 1)
            for (const TlsDirective& chain : vhost.chainFiles)
                if (chain.inBlockFile(vhost.file))
                    plan.changes[vhost.file].push_back({LineChange::Remove,
                                                        chain.node.line,
                                                        chain.node.lastLine,
                                                        chain.node.name,
                                                        {},
                                                        ""});
        return plan;
    }
    if (cert.inBlockFile(vhost.file) && (!key || key->inBlockFile(vhost.file)))
        planInPlace(vhost, i, in, plan);
    else
        planShared(vhost, i, in, plan);
    return plan;
}

} // namespace certagent::plugins::apache
