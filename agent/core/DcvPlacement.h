#pragma once

#include "core/CertJob.h"

#include <memory>
#include <vector>

namespace certagent::core {

/// Puts the CA's challenges where the CA looks (validation files in the web root, DNS records
/// through the dns.d hooks, or a line saying which approval e-mail to wait for), records each in
/// the state as soon as it is placed, and removes exactly what this agent placed.
class DcvPlacement {
  public:
    explicit DcvPlacement(CertJob& job) : m_job(job) {}
    ~DcvPlacement();

    /// Places what `view` asks for (nothing but the e-mail line in a dry run). Throws
    /// RefusedError when the CA's validation data was refused (view.challengeProblem) or a DNS
    /// hook failed; ConfigError when `webroot = auto` finds no document root.
    void place(const OrderView& view, bool dryRun);
    /// For file validation: opens the web root of every configured name as placeDcvFile will
    /// (openWebroot), so a web root swapped for a link, or below a foreign owner, is refused before
    /// an order is placed, not after. Throws RefusedError (exit 4), IoError, ConfigError (no
    /// document root for `webroot = auto`).
    void checkWebroots();
    /// Whether cleanup() saves the state itself.
    enum class Save {
        Now,      ///< when the lists changed
        ByCaller, ///< the caller saves right after, with no outside step in between
    };
    /// Removes every file and record the state lists, forgets them, saves (per `save`) when that
    /// changed. Removing again what is already gone is fine, so a run stopped before the next save
    /// only repeats the removal.
    void cleanup(Save save = Save::Now);

  private:
    void placeFiles(const std::vector<Challenge>& files);
    void addRecords(const std::vector<Challenge>& records);
    std::string webrootFor(const std::string& domain);
    static std::string recordText(const Challenge& c);

    CertJob& m_job;
    std::unique_ptr<Installer> m_installer; ///< for webroot = auto, made on first use
};

} // namespace certagent::core
