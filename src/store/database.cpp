// Engine-independent parts of the data-access layer: Row's value conversions, choosing the
// backend from the target string, and the `?` → `$n` placeholder rewriting used by PostgreSQL.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "store/backend.h"
#include "store/db.h"

namespace shuyou::store {

namespace {

// Parses a whole string as an integer; a decimal such as "12.50" is rounded; anything else is 0.
int64_t ParseInt(const std::string& s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && end == s.data() + s.size()) return v;
  double d = std::strtod(s.c_str(), nullptr);
  return std::isfinite(d) ? std::llround(d) : 0;
}

}  // namespace

Status Tx::AtCommit(const std::string& key, int64_t id, const Batch& batch) {
  if (commit_work_ == nullptr) return Internal("Tx::AtCommit(" + key + ") outside a write transaction");
  commit_work_->Add(key, id, batch);
  return Status::Ok();
}

void CommitWork::Add(const std::string& key, int64_t id, const Tx::Batch& batch) {
  for (Item& item : items_)
    if (item.key == key) {
      item.ids.push_back(id);
      return;
    }
  items_.push_back({key, batch, {id}});
}

void CommitWork::Append(CommitWork&& other) {
  for (Item& theirs : other.items_) {
    auto mine = std::find_if(items_.begin(), items_.end(), [&](const Item& i) { return i.key == theirs.key; });
    if (mine == items_.end()) items_.push_back(std::move(theirs));
    else mine->ids.insert(mine->ids.end(), theirs.ids.begin(), theirs.ids.end());
  }
  other.items_.clear();
}

Status CommitWork::Run(Tx& tx) {
  while (!items_.empty()) {
    std::vector<Item> items = std::move(items_);
    items_.clear();
    for (const Item& item : items) SY_RETURN_IF_ERROR(item.batch(tx, item.ids));
  }
  return Status::Ok();
}

int64_t Row::Int(size_t i) const {
  const Value& v = cols.at(i);
  if (auto* n = std::get_if<int64_t>(&v)) return *n;
  if (auto* d = std::get_if<double>(&v)) return std::isfinite(*d) ? std::llround(*d) : 0;
  if (auto* s = std::get_if<std::string>(&v)) return ParseInt(*s);
  return 0;
}

double Row::Real(size_t i) const {
  const Value& v = cols.at(i);
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* n = std::get_if<int64_t>(&v)) return static_cast<double>(*n);
  if (auto* s = std::get_if<std::string>(&v)) return std::strtod(s->c_str(), nullptr);
  return 0;
}

std::string Row::Text(size_t i) const {
  const Value& v = cols.at(i);
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
  if (auto* d = std::get_if<double>(&v)) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);  // shortest exact form
    return std::string(buf, end);
  }
  return "";
}

std::optional<int64_t> Row::OptInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

std::optional<std::string> Row::OptText(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

const char* EngineName(Engine e) {
  switch (e) {
    case Engine::kSqlite: return "sqlite";
    case Engine::kPostgres: return "postgresql";
  }
  return "unknown";
}

bool IsPostgresUrl(std::string_view target) {
  return target.starts_with("postgresql://") || target.starts_with("postgres://");
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& target, const Options& opt) {
  if (target.empty()) {
    return Invalid("database target is empty: give a file path or a postgresql:// URL");
  }
  if (opt.readers < 1) return Invalid("database readers must be at least 1");
  if (IsPostgresUrl(target)) return OpenPostgres(target, opt);
  return OpenSqlite(target, opt);
}

std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      // Copy through the closing quote; a doubled quote ('') just closes and reopens.
      size_t end = sql.find(c, i + 1);
      if (end == std::string_view::npos) end = sql.size() - 1;
      out.append(sql.substr(i, end - i + 1));
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) end = sql.size() - 1;
      out.append(sql.substr(i, end - i + 1));
      i = end;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace shuyou::store
