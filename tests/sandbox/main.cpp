#include <iostream>

// Placeholder until the sandbox lands (foundation issue).
int main() {
    std::cerr << "certagent-sandbox: not built yet\n";
    return 1;
}
