// JSON views of sales, returns and shifts (routes/sales.cpp, routes/shifts.cpp).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/points.h"
#include "service/sales.h"

namespace shuyou::http {

// With `details`, the lines, discounts, payments and returns too (a list leaves them out).
nlohmann::json SaleJson(const service::Sale& s, bool details = true);
nlohmann::json ReturnJson(const service::SaleReturn& r);
nlohmann::json EarnedJson(const core::EarnResult& e);
// The checkout's answer, as JSON text: the sale plus points explained, balances, stamps and any
// tier change.
std::string CheckoutText(const service::CheckoutResult& r);
// A return's answer: the return and the sale as it now stands.
nlohmann::json ReturnAnswerJson(const service::SaleReturn& r, const service::Sale& s);

}  // namespace shuyou::http
