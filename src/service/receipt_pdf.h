// A receipt as PDF (libharu): pages 80 mm wide in the 48-column receipt layout, drawn with
// libharu's built-in SimSun (Chinese, GBK) so that no font file is needed. Long receipts
// continue on further pages. libharu errors become a Status; nothing here throws or aborts.
#pragma once

#include <string>
#include <string_view>

#include "core/receipt.h"
#include "core/status.h"

namespace shuyou::service {

Result<std::string> RenderReceiptPdf(const core::ReceiptDoc& doc, std::string_view lang);

}  // namespace shuyou::service
