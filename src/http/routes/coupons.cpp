// /api/v1/coupons: coupon codes (percent, fixed, spend X get Y off), batches of single-use codes
// for printed vouchers, and the check a till makes before pricing (service/coupons.h).
// Every signed-in role reads them; owners, managers and marketers create and change them.
#include "http/app.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"
#include "service/coupons.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
constexpr core::RoleSet kEditors = Bit(Role::kOwner) | Bit(Role::kManager) | Bit(Role::kMarketer);

std::string StringArray(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(out, v[i]);
  }
  return out + "]";
}

void WriteCouponFields(JsonObject& o, const service::Coupon& c) {
  o.Int("id", c.id)
      .Str("code", c.code)
      .Str("name", c.name)
      .Str("kind", c.kind)
      .Int("percent", c.percent)
      .Int("amount", c.amount)
      .Int("threshold", c.threshold)
      .Bool("repeat", c.repeat)
      .OptInt("min_spend", c.min_spend)
      .Raw("genres", StringArray(c.genres))
      .Bool("exclusive", c.exclusive);
  if (c.valid_from) o.Str("valid_from", *c.valid_from);
  else o.Null("valid_from");
  if (c.valid_to) o.Str("valid_to", *c.valid_to);
  else o.Null("valid_to");
  o.OptInt("max_uses", c.max_uses)
      .OptInt("per_member_limit", c.per_member_limit)
      .Bool("members_only", c.members_only)
      .OptInt("member_id", c.member_id)
      .OptInt("store_id", c.store_id)
      .Int("uses", c.uses)
      .Bool("active", c.active)
      .Str("status", c.status)
      .Time("created_at", c.created_at)
      .Time("updated_at", c.updated_at);
}

void WriteCoupon(std::string& out, const service::Coupon& c) {
  JsonObject o(out);
  WriteCouponFields(o, c);
  o.Close();
}

void WriteCouponDetail(std::string& out, const service::CouponDetail& d) {
  std::string usage;
  {
    std::string days = "[";
    for (size_t i = 0; i < d.usage.days.size(); ++i) {
      if (i) days += ',';
      JsonObject(days).Str("day", d.usage.days[i].day).Int("uses", d.usage.days[i].uses).Int("discount", d.usage.days[i].discount).Close();
    }
    days += ']';
    JsonObject(usage)
        .Int("uses", d.usage.uses)
        .Int("discount", d.usage.discount)
        .Int("given_back", d.usage.given_back)
        .Raw("days", days)
        .Close();
  }
  JsonObject o(out);
  WriteCouponFields(o, d.coupon);
  o.Raw("usage", usage);
  o.Close();
}

void WriteBatch(std::string& out, const service::CouponBatch& b) {
  std::string items = "[";
  for (size_t i = 0; i < b.coupons.size(); ++i) {
    if (i) items += ',';
    JsonObject(items).Int("id", b.coupons[i].id).Str("code", b.coupons[i].code).Close();
  }
  items += ']';
  std::string sample;
  if (!b.coupons.empty()) WriteCoupon(sample, b.coupons.front());
  JsonObject(out)
      .Str("prefix", b.prefix)
      .Int("count", int64_t(b.coupons.size()))
      .Raw("items", items)
      .Raw("coupon", sample.empty() ? "null" : sample)
      .Close();
}

void WriteCheck(std::string& out, const service::CouponCheck& c) {
  JsonObject o(out);
  o.Str("code", c.code).Bool("valid", c.valid);
  if (c.valid) o.Null("reason");
  else o.Str("reason", c.reason);
  if (c.coupon) o.Raw("coupon", ToJson(WriteCoupon, *c.coupon));
  else o.Null("coupon");
  o.Close();
}

// One CSV field, quoted when it holds a separator, quote or line break; a leading = + - @ is
// prefixed with ' so that spreadsheets do not read it as a formula.
std::string CsvField(const std::string& s) {
  std::string v = s;
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v = "'" + v;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char ch : v) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

Response BatchCsv(const service::CouponBatch& b) {
  Response res;
  res.status = 201;
  res.content_type = "text/csv; charset=utf-8";
  res.body = "\xEF\xBB\xBF" "code,name,kind,percent,amount,threshold,valid_from,valid_to\r\n";
  for (const auto& c : b.coupons)
    res.body += CsvField(c.code) + "," + CsvField(c.name) + "," + c.kind + "," + std::to_string(c.percent) + "," +
                std::to_string(c.amount) + "," + std::to_string(c.threshold) + "," + c.valid_from.value_or("") + "," +
                c.valid_to.value_or("") + "\r\n";
  std::string name = b.prefix.empty() ? "coupons" : "coupons-" + b.prefix;
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + ".csv\"");
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

std::vector<Field> CouponFieldList(bool creating, bool batch) {
  std::vector<Field> f = {
      {"name", JType::kString},           {"kind", JType::kString, creating},  {"percent", JType::kInt},
      {"amount", JType::kInt},            {"threshold", JType::kInt},          {"repeat", JType::kBool},
      {"min_spend", JType::kNullableInt}, {"genres", JType::kArray},           {"exclusive", JType::kBool},
      {"valid_from", JType::kNullableString}, {"valid_to", JType::kNullableString},
      {"members_only", JType::kBool},     {"member_id", JType::kNullableInt},  {"store_id", JType::kNullableInt},
      {"active", JType::kBool}};
  if (batch) {
    f.push_back({"prefix", JType::kString});
    f.push_back({"count", JType::kInt, true});
  } else {
    f.push_back({"code", JType::kString, creating});
    f.push_back({"max_uses", JType::kNullableInt});
    f.push_back({"per_member_limit", JType::kNullableInt});
  }
  return f;
}

std::optional<std::optional<int64_t>> OptNullableInt(const nlohmann::json& b, const char* key) {
  auto it = b.find(key);
  if (it == b.end()) return std::nullopt;
  if (it->is_null()) return std::optional<int64_t>();
  return std::optional<int64_t>(it->get<int64_t>());
}

std::optional<int64_t> OptInt(const nlohmann::json& b, const char* key) {
  auto it = b.find(key);
  if (it == b.end()) return std::nullopt;
  return it->get<int64_t>();
}

Result<service::CouponFields> CouponFieldsOf(const nlohmann::json& b) {
  service::CouponFields f;
  f.code = OptString(b, "code");
  f.name = OptString(b, "name");
  f.kind = OptString(b, "kind");
  f.percent = OptInt(b, "percent");
  f.amount = OptInt(b, "amount");
  f.threshold = OptInt(b, "threshold");
  f.repeat = OptBool(b, "repeat");
  f.exclusive = OptBool(b, "exclusive");
  f.members_only = OptBool(b, "members_only");
  f.active = OptBool(b, "active");
  f.min_spend = OptNullableInt(b, "min_spend");
  f.max_uses = OptNullableInt(b, "max_uses");
  f.per_member_limit = OptNullableInt(b, "per_member_limit");
  f.member_id = OptNullableInt(b, "member_id");
  f.store_id = OptNullableInt(b, "store_id");
  f.valid_from = OptNullableString(b, "valid_from");
  f.valid_to = OptNullableString(b, "valid_to");
  if (auto it = b.find("genres"); it != b.end()) {
    std::vector<std::string> genres;
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_string())
        return Invalid("the request body has invalid fields", {{"genres[" + std::to_string(i) + "]", "must be a string"}});
      genres.push_back((*it)[i].get<std::string>());
    }
    f.genres = std::move(genres);
  }
  return f;
}

Result<std::optional<bool>> QueryBool(const Request& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return std::optional<bool>();
  if (it->second == "true") return std::optional<bool>(true);
  if (it->second == "false") return std::optional<bool>(false);
  return Invalid(name + " must be true or false", {{name, "must be true or false"}});
}

}  // namespace

void AddCouponRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(core::kEveryRole, "GET", "/api/v1/coupons", [&ctx](Call& c) {
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    service::CouponFilter f;
    if (auto it = c.req.query.find("q"); it != c.req.query.end()) f.q = it->second;
    if (auto it = c.req.query.find("status"); it != c.req.query.end() && !it->second.empty()) f.status = it->second;
    auto active = QueryBool(c.req, "active");
    if (!active.ok()) return ErrorResponse(active.status());
    f.active = *active;
    auto res = service::ListCoupons(ctx, *page, f);
    if (!res.ok()) return ErrorResponse(res.status());
    return PageJson(*res, WriteCoupon);
  });

  r.Allow(kEditors, "POST", "/api/v1/coupons", [&ctx](Call& c) {
    auto body = ReadBody(c.req, CouponFieldList(true, false));
    if (!body.ok()) return ErrorResponse(body.status());
    auto fields = CouponFieldsOf(*body);
    if (!fields.ok()) return ErrorResponse(fields.status());
    return Answer(service::CreateCoupon(ctx, c.principal->actor, *fields), 201, WriteCoupon);
  });

  // Registered before /coupons/{id}: the first matching route wins.
  r.Allow(core::kEveryRole, "GET", "/api/v1/coupons/check", [&ctx](Call& c) {
    auto it = c.req.query.find("code");
    if (it == c.req.query.end() || it->second.empty())
      return ErrorResponse(Invalid("code is required", {{"code", "is required"}}));
    auto store = QueryId(c.req, "store_id");
    if (!store.ok()) return ErrorResponse(store.status());
    std::optional<int64_t> store_id = *store ? *store : c.principal->actor.home_store_id;
    if (!store_id)
      return ErrorResponse(Invalid("store_id is required (the caller has no home store)", {{"store_id", "is required"}}));
    auto member = QueryId(c.req, "member_id");
    if (!member.ok()) return ErrorResponse(member.status());
    return Answer(service::CheckCoupon(ctx, it->second, *store_id, *member), 200, WriteCheck);
  });

  r.Allow(kEditors, "POST", "/api/v1/coupons/batches", [&ctx](Call& c) {
    std::string format;
    if (auto it = c.req.query.find("format"); it != c.req.query.end()) format = it->second;
    if (!format.empty() && format != "json" && format != "csv")
      return ErrorResponse(Invalid("format must be json or csv", {{"format", "must be json or csv"}}));
    auto body = ReadBody(c.req, CouponFieldList(true, true));
    if (!body.ok()) return ErrorResponse(body.status());
    auto fields = CouponFieldsOf(*body);
    if (!fields.ok()) return ErrorResponse(fields.status());
    auto res = service::IssueCouponBatch(ctx, c.principal->actor, OptString(*body, "prefix").value_or(""),
                                         (*body)["count"].get<int64_t>(), *fields);
    if (!res.ok() || format != "csv") return Answer(res, 201, WriteBatch);
    return BatchCsv(*res);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/coupons/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    return Answer(service::GetCoupon(ctx, *id), 200, WriteCouponDetail);
  });

  r.Allow(kEditors, "PATCH", "/api/v1/coupons/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, CouponFieldList(false, false));
    if (!body.ok()) return ErrorResponse(body.status());
    auto fields = CouponFieldsOf(*body);
    if (!fields.ok()) return ErrorResponse(fields.status());
    return Answer(service::UpdateCoupon(ctx, c.principal->actor, *id, *fields), 200, WriteCoupon);
  });
}

}  // namespace shuyou::http
