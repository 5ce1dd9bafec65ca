#pragma once

// Internal to agent/cluster: every failure of the fleet's shared state reaches core as
// core::FleetError (never as a ServiceError, which core would take for a CA failure and back off).

#include "cluster/Envelope.h"
#include "cluster/EtcdError.h"
#include "cluster/Records.h"
#include "core/Coordinator.h"

namespace certagent::cluster {

template <typename F> auto asFleetError(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const EtcdError& e) {
        throw core::FleetError(e.what(), e.exitCode());
    } catch (const EnvelopeError& e) {
        throw core::FleetError(e.what(), e.exitCode());
    } catch (const RecordError& e) {
        throw core::FleetError(e.what(), e.exitCode());
    }
}

} // namespace certagent::cluster
