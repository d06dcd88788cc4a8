// Route registration, one function per resource (http/routes/<resource>.cpp).
#pragma once

#include "http/router.h"

namespace shuyou::http {

class App;

void AddSystemRoutes(Router& r, App& app);   // /healthz, /metrics, /api/v1/openapi.json
void AddAuthRoutes(Router& r, App& app);     // /api/v1/auth/*
void AddStaffRoutes(Router& r, App& app);    // /api/v1/staff, /api/v1/stores
void AddAdminRoutes(Router& r, App& app);    // /api/v1/audit, /api/v1/api-keys
void AddMemberRoutes(Router& r, App& app);   // /api/v1/members
void AddLoyaltyRoutes(Router& r, App& app);  // /api/v1/loyalty/*
void AddPointsJobRoutes(Router& r, App& app);  // redemptions, /members/{id}/tier, /api/v1/jobs/runs
void AddWalletRoutes(Router& r, App& app);   // stored value, /api/v1/clubs, /api/v1/stamp-cards
void AddMemberIdentityRoutes(Router& r, App& app);  // /api/v1/members/{id}/card.svg|png, /merge
void AddPrivacyRoutes(Router& r, App& app);  // /api/v1/members/{id}/consents, /export, /erase
void AddCatalogRoutes(Router& r, App& app);  // /api/v1/products, /api/v1/categories
void AddStockRoutes(Router& r, App& app);    // /api/v1/stock/*
void AddMemberImportRoutes(Router& r, App& app);  // /api/v1/members/import
void AddSalesRoutes(Router& r, App& app);    // /api/v1/sales
void AddShiftRoutes(Router& r, App& app);    // /api/v1/shifts
void AddCouponRoutes(Router& r, App& app);   // /api/v1/coupons
void AddProductImportRoutes(Router& r, App& app);  // /api/v1/products/import
void AddReceiptRoutes(Router& r, App& app);  // /api/v1/sales/{id}/receipt, /receipt/email
void AddMemberInterestRoutes(Router& r, App& app);  // /api/v1/members/{id}/interests
void AddReportSalesRoutes(Router& r, App& app);  // /api/v1/reports/dashboard, sales, books, hours
void AddMemberReportRoutes(Router& r, App& app);  // /api/v1/reports/members, /rfm, /cohorts, /loyalty

}  // namespace shuyou::http
