#include "core/Coordinator.h"

namespace certagent::core {

Coordinator& soloCoordinator() {
    static SoloCoordinator solo;
    return solo;
}

} // namespace certagent::core
