// /api/v1/sales/{id}/receipt: a sale's receipt as ESC/POS bytes for the till's thermal printer,
// a printable HTML page, a PDF or plain text; and /receipt/email, which queues it for e-mail
// through the outbox. Owners, managers and cashiers.
#include "core/receipt.h"
#include "http/app.h"
#include "http/json_writer.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"
#include "service/receipt_pdf.h"
#include "service/receipts.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
constexpr core::RoleSet kTill = Bit(Role::kOwner) | Bit(Role::kManager) | Bit(Role::kCashier);

Response Bytes(std::string content_type, std::string body, const std::string& filename = "") {
  Response r;
  r.status = 200;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");  // a receipt changes with returns
  if (!filename.empty()) r.headers.emplace_back("Content-Disposition", "inline; filename=\"" + filename + "\"");
  return r;
}

// The receipt number as a file name: letters, digits and '-' only.
std::string FileName(const std::string& number, const char* ext) {
  std::string out;
  for (char c : number)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') out += c;
  return (out.empty() ? "receipt" : out) + ext;
}

void WriteOutbox(std::string& out, const service::OutboxMessage& m) {
  JsonObject(out)
      .Int("id", m.id)
      .Str("status", m.status)
      .Str("recipient", m.recipient)
      .Str("subject", m.subject)
      .Str("ref", m.ref)
      .Time("created_at", m.created_at)
      .Time("next_attempt_at", m.next_attempt_at)
      .Close();
}

}  // namespace

void AddReceiptRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(kTill, "GET", "/api/v1/sales/{id}/receipt", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto q = [&c](const char* k, const char* dflt) {
      auto it = c.req.query.find(k);
      return it == c.req.query.end() ? std::string(dflt) : it->second;
    };
    std::string format = q("format", "html"), lang = q("lang", "zh-CN"), width = q("width", "80");
    std::vector<FieldError> bad;
    if (format != "escpos" && format != "html" && format != "pdf" && format != "text")
      bad.push_back({"format", "must be escpos, html, pdf or text"});
    if (width != "58" && width != "80") bad.push_back({"width", "must be 58 or 80"});
    if (!service::CheckReceiptLang(lang).ok()) bad.push_back({"lang", "must be zh-CN or en"});
    if (!bad.empty()) return ErrorResponse(Invalid("bad receipt parameters", std::move(bad)));
    auto doc = service::LoadReceiptDoc(ctx, *id, lang);
    if (!doc.ok()) return ErrorResponse(doc.status());
    if (format == "escpos")
      return Bytes("application/octet-stream", core::RenderEscPos(*doc, std::stoi(width), lang),
                   FileName(doc->receipt_number, ".bin"));
    if (format == "text") return Bytes("text/plain; charset=utf-8", core::RenderReceiptText(*doc, lang));
    if (format == "pdf") {
      auto pdf = service::RenderReceiptPdf(*doc, lang);
      if (!pdf.ok()) return ErrorResponse(pdf.status());
      return Bytes("application/pdf", std::move(*pdf), FileName(doc->receipt_number, ".pdf"));
    }
    return Bytes("text/html; charset=utf-8", core::RenderReceiptHtml(*doc, lang));
  });

  r.Allow(kTill, "POST", "/api/v1/sales/{id}/receipt/email", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    nlohmann::json body = nlohmann::json::object();
    if (!c.req.body.empty()) {
      auto parsed = ReadBody(c.req, {{"email", JType::kString}, {"lang", JType::kString}});
      if (!parsed.ok()) return ErrorResponse(parsed.status());
      body = *parsed;
    }
    std::optional<std::string> email = OptString(body, "email");
    if (email && email->empty()) email.reset();
    std::string lang = OptString(body, "lang").value_or("zh-CN");
    const auto& actor = c.principal->actor;
    // With an Idempotency-Key, a till that retries after a timeout queues the e-mail once.
    return IdempotentJson(
        202, service::RunIdempotent(ctx, "sale.receipt.email:sale:" + std::to_string(*id), IdempotencyKeyOf(c.req),
                                    c.req.target + "\n" + body.dump(), [&](store::Tx& tx) -> Result<nlohmann::json> {
                                      SY_ASSIGN_OR_RETURN(auto m, service::EmailReceiptIn(tx, ctx, actor, *id, email, lang));
                                      return nlohmann::json::parse(ToJson(WriteOutbox, m));
                                    }));
  });
}

}  // namespace shuyou::http
