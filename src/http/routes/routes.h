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
void AddMemberImportRoutes(Router& r, App& app);  // /api/v1/members/import

}  // namespace shuyou::http
