// A sale's receipt: loaded from the sales tables as core::ReceiptDoc (rendered by core/receipt.h
// and service/receipt_pdf.h) and e-mailed through the outbox.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/receipt.h"
#include "service/outbox.h"
#include "service/services.h"

namespace shuyou::service {

// "zh-CN" or "en"; Invalid for anything else (field "lang").
Status CheckReceiptLang(std::string_view lang);

// The receipt of sale `sale_id` as it stands now (returns included): lines, the applied
// discounts with their rules, payments, and for a member sale the masked card, the points earned
// and the balance after the sale (the newest points row of the sale, else the member's current
// balance), times in the store's time zone. NotFound for an unknown sale.
Result<core::ReceiptDoc> LoadReceiptDoc(store::Tx& tx, const Context& ctx, int64_t sale_id, std::string_view lang);
Result<core::ReceiptDoc> LoadReceiptDoc(Context& ctx, int64_t sale_id, std::string_view lang);

// Queues the receipt (text and HTML) for `email`, or the member's e-mail when absent. Invalid
// when neither exists or the address is not one. Owners, managers and cashiers. Audited.
Result<OutboxMessage> EmailReceiptIn(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t sale_id,
                                     std::optional<std::string> email, std::string_view lang);
Result<OutboxMessage> EmailReceipt(Context& ctx, const Actor& actor, int64_t sale_id, std::optional<std::string> email,
                                   std::string_view lang);

}  // namespace shuyou::service
