#include "core/backends/OrderService.h"

#include <algorithm>

namespace certagent::core {

ApiOrderService::ApiOrderService(std::function<std::unique_ptr<api::ApiClient>()> make)
    : m_make(std::move(make)) {}

ApiOrderService::~ApiOrderService() = default;

api::ApiClient& ApiOrderService::client() {
    if (!m_client) {
        m_client = m_make();
        m_client->setDeadline(m_deadline);
    }
    return *m_client;
}

void ApiOrderService::setDeadline(std::optional<std::chrono::steady_clock::time_point> until) {
    m_deadline = until;
    if (m_client)
        m_client->setDeadline(until);
}

api::OrderList ApiOrderService::orders(int limit, int offset) {
    return client().getAllSSLOrders(limit, offset);
}

api::OrderStatus ApiOrderService::status(long long orderId) {
    return client().getOrderStatus(orderId);
}

std::vector<api::BatchStatus> ApiOrderService::statuses(const std::vector<long long>& orderIds) {
    return client().getOrdersStatus(orderIds);
}

api::NewOrderResult ApiOrderService::addOrder(const api::NewOrderRequest& request) {
    return client().addSSLOrder(request);
}

api::NewOrderResult ApiOrderService::renewOrder(const api::NewOrderRequest& request) {
    return client().addSSLRenewOrder(request);
}

api::ReissueResult ApiOrderService::reissue(long long orderId, const api::ReissueRequest& request) {
    return client().reissueSSLOrder(orderId, request);
}

void ApiOrderService::revalidate(long long orderId, const std::string& domain) {
    client().revalidate(orderId, domain);
}

int ApiOrderService::webserverTypeFor(long long productId) {
    return client().webserverTypeFor(productId);
}

std::vector<api::OrderSummary> ApiOrderService::recentOrders(int count) {
    // The list's order is the account's; its tail is asked for when it is longer than `count`.
    api::OrderList list = client().getAllSSLOrders(count, 0);
    if (list.count > count)
        list = client().getAllSSLOrders(count, static_cast<int>(list.count - count));
    std::vector<api::OrderSummary> orders = list.orders;
    std::sort(orders.begin(), orders.end(),
              [](const auto& a, const auto& b) { return a.orderId > b.orderId; });
    if (orders.size() > static_cast<std::size_t>(count))
        orders.resize(static_cast<std::size_t>(count));
    return orders;
}

std::optional<std::time_t> ApiOrderService::serverTime() const {
    if (!m_client)
        return std::nullopt;
    auto date = m_client->lastServerDate();
    if (!date)
        return std::nullopt;
    return std::chrono::system_clock::to_time_t(*date);
}

} // namespace certagent::core
