#pragma once

// The example replies of GoGetSSL's API v1 documentation, verbatim.

namespace certagent::api::test {

constexpr const char* kAuthExample =
    R"json({"key":"9f2c4be17a05d3c86e41f0a2b7d95c13","success":true})json";

constexpr const char* kErrorExample =
    R"json({"error":true,"message":"Order not found","description":"Order #77123 does not belong to this account"})json";

constexpr const char* kAddOrderExample =
    R"json({"product_id":"65","order_id":"1840217","invoice_id":"902114","order_status":"processing",
 "order_amount":"7.50","currency":"USD","tax":"0.00","tax_rate":"0",
 "approver_method":{"http":{"link":"http:\/\/shop.example.net\/.well-known\/pki-validation\/6D4AFC598F6B998741DA2E0E2888831A.txt",
   "filename":"6D4AFC598F6B998741DA2E0E2888831A.txt",
   "content":"C40B487B6F6318B995D28FA63B9B786335EC7E7C78B4DA269D2D1143DC0B1F3F\r\nsectigo.com\r\nk7Qm2Rz9Lw4Xp8Tn"}},
 "san":[],"success":true})json";

constexpr const char* kStatusProcessingExample =
    R"json({"order_id":"1840217","partner_order_id":"3318852201","internal_id":"55810","status":"processing",
 "status_description":"Awaiting domain validation","dcv_status":"1","product_id":"99",
 "domain":"shop.example.net","domains":"api.example.net","total_domains":"2","base_domain_count":"1",
 "single_san_count":"1","wildcard_san_count":"0","validity_period":"12",
 "valid_from":"0000-00-00","valid_till":"0000-00-00","begin_date":"2025-03-04","end_date":"2026-03-04",
 "csr_code":"-----BEGIN CERTIFICATE REQUEST-----\nMIICvDCCAaQCAQAwdzELMAkGA1UEBhMCTFYx...\n-----END CERTIFICATE REQUEST-----\n",
 "crt_code":"","ca_code":"","server_count":"-1","reissue":"0","reissue_now":"0","renew":"0",
 "webserver_type":"-1","upgrade":"0","approver_emails":"dns","dcv_method":"http",
 "approver_method":{"http":{"link":"http:\/\/shop.example.net\/.well-known\/pki-validation\/6D4AFC598F6B998741DA2E0E2888831A.txt",
   "filename":"6D4AFC598F6B998741DA2E0E2888831A.txt",
   "content":"C40B487B6F6318B995D28FA63B9B786335EC7E7C78B4DA269D2D1143DC0B1F3F\r\nsectigo.com\r\nk7Qm2Rz9Lw4Xp8Tn"}},
 "admin_firstname":"Ilze","admin_lastname":"Kalnina","admin_email":"ops@example.net","admin_phone":"37120000000",
 "admin_title":"Mr","admin_organization":"","admin_city":"","admin_country":"LV",
 "tech_firstname":"Ilze","tech_lastname":"Kalnina","tech_email":"ops@example.net","tech_phone":"37120000000",
 "tech_title":"Mr","org_country":"","ssl_price":"7.50","ssl_period":"12","manual_check":"0","pre_signing":"0",
 "admin_msg":"","free_ev_upgrade":"0","codesigning_inviteurl":"","validation_description":"",
 "san":[{"san_name":"api.example.net","validation_method":"dns","status":1,"status_description":"Processing",
   "validation":{"dns":{"record":"_4EB1A0477609807D963D330CC66623ED.api.example.net CNAME 2ea0c84739617384929b4d6323e6d341.8721e581da1bc97fc2877cb818244c1c.k7qm2rz9lw4xp8tn.sectigo.com"}}}],
 "success":true,"time_stamp":1741092360})json";

constexpr const char* kStatusActiveExample =
    R"json({"order_id":"1840217","status":"active","status_description":"Certificate issued","dcv_status":"2",
 "domain":"shop.example.net","valid_from":"2025-03-04","valid_till":"2026-03-05",
 "dcv_method":"http","approver_method":{"http":{"link":"http:\/\/shop.example.net\/.well-known\/pki-validation\/6D4AFC598F6B998741DA2E0E2888831A.txt","filename":"6D4AFC598F6B998741DA2E0E2888831A.txt","content":"C40B487B6F6318B995D28FA63B9B786335EC7E7C78B4DA269D2D1143DC0B1F3F\r\nsectigo.com\r\nk7Qm2Rz9Lw4Xp8Tn"}},
 "crt_code":"-----BEGIN CERTIFICATE-----\n6NhcZaQ73KySlEKVpYYi\/28oIEl7X7BX5JvyO9smwLiJXsi2jF3Wrp\/E3Ts2uv3M\nLW3UTJ34GZRzUwjRIHyeKH\/O2\/z0\/1DyQ\/9UAJP+nFbvM8oYgrROo6\/74zmTr1dd\n-----END CERTIFICATE-----\n",
 "ca_code":"-----BEGIN CERTIFICATE-----\nTeVNlZQwZmPXqflwM5RZhWzieWhObYLBoct5NGrLcihFhuMNi5fmwAvYYFA5RYCq\nK4MnSES1Hky20Aoo1EFPl5zTOP0iB5paFnW5D90nXXJwLH0wDbq7f4LVX9EmkSKc\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n16CkMx7zpufSUdxrTz5D\/xRvNd2lUEjPPsTwZhe\/+RE3wDsSX5NPHO9BDZQ5X7Ny\nl9FOl8gH+w7uoqNULrW\/VYOPAC6qIrBtRauejPHK9DPSF4RHFNfytPAFhm1F63va\n-----END CERTIFICATE-----\n",
 "san":[{"san_name":"api.example.net","validation_method":"dns","status":2,"status_description":"Validated",
   "validation":{"dns":{"record":"_4EB1A0477609807D963D330CC66623ED.api.example.net CNAME 2ea0c84739617384929b4d6323e6d341.8721e581da1bc97fc2877cb818244c1c.k7qm2rz9lw4xp8tn.sectigo.com"}}}],
 "success":true,"time_stamp":1741178760})json";

constexpr const char* kReissueExample =
    R"json({"order_id":"1840217","order_status":"reissue",
 "validation":{"dns":{"record":"_A1C38E0F55D2B7946C0E4F1B2A9D7E63.shop.example.net CNAME 5d1f0a9c2b7e48d3a6c1e09f3b2d7a4c.8e6b1c0d9f2a3e4b5c6d7e8f9a0b1c2d.k7qm2rz9lw4xp8tn.sectigo.com"}},
 "success":true})json";

} // namespace certagent::api::test
