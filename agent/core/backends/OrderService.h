#pragma once

#include "api/ApiClient.h"

#include <chrono>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace certagent::core {

/// The GoGetSSL calls GoGetSslBackend makes: the seam between the backend and api::ApiClient
/// (a fake in unit tests). Every method throws api::ApiError like ApiClient.
class OrderService {
  public:
    virtual ~OrderService() = default;
    virtual api::OrderStatus status(long long orderId) = 0;
    virtual std::vector<api::BatchStatus> statuses(const std::vector<long long>& orderIds) = 0;
    virtual api::NewOrderResult addOrder(const api::NewOrderRequest& request) = 0;
    virtual api::NewOrderResult renewOrder(const api::NewOrderRequest& request) = 0;
    virtual api::ReissueResult reissue(long long orderId, const api::ReissueRequest& request) = 0;
    virtual void revalidate(long long orderId, const std::string& domain) = 0;
    /// One page of the account's orders (getAllSSLOrders).
    virtual api::OrderList orders(int limit, int offset) = 0;
    /// Every call from now on ends by `until` (nullopt: each call's own retry deadline only).
    virtual void setDeadline(std::optional<std::chrono::steady_clock::time_point> until) {
        (void)until;
    }
    /// The webserver_type to send for a product (by its brand; see api/WebserverType.h).
    virtual int webserverTypeFor(long long productId) = 0;
    /// The account's `count` newest orders (getAllSSLOrders), newest first.
    virtual std::vector<api::OrderSummary> recentOrders(int count) = 0;
    /// The server's time from its last reply (HTTP Date), for the clock check; nullopt if unknown.
    virtual std::optional<std::time_t> serverTime() const { return std::nullopt; }
};

/// OrderService over a real ApiClient, made on first use by `make` (so commands that never call
/// the API never need credentials).
class ApiOrderService : public OrderService {
  public:
    explicit ApiOrderService(std::function<std::unique_ptr<api::ApiClient>()> make);
    ~ApiOrderService() override;
    api::ApiClient& client();
    api::OrderStatus status(long long orderId) override;
    std::vector<api::BatchStatus> statuses(const std::vector<long long>& orderIds) override;
    api::NewOrderResult addOrder(const api::NewOrderRequest& request) override;
    api::NewOrderResult renewOrder(const api::NewOrderRequest& request) override;
    api::ReissueResult reissue(long long orderId, const api::ReissueRequest& request) override;
    void revalidate(long long orderId, const std::string& domain) override;
    api::OrderList orders(int limit, int offset) override;
    void setDeadline(std::optional<std::chrono::steady_clock::time_point> until) override;
    int webserverTypeFor(long long productId) override;
    std::vector<api::OrderSummary> recentOrders(int count) override;
    std::optional<std::time_t> serverTime() const override;

  private:
    std::function<std::unique_ptr<api::ApiClient>()> m_make;
    std::unique_ptr<api::ApiClient> m_client;
    std::optional<std::chrono::steady_clock::time_point> m_deadline;
};

} // namespace certagent::core
