// Internal to store/: the engine constructors behind Database::Open and the SQL text helpers the
// backends share. Nothing outside store/ (and its tests) includes this header.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/db.h"

namespace shuyou::store {

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const Options& opt);
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const Options& opt);

// Rewrites each `?` placeholder to $1, $2, … in order. A `?` inside a '…' string literal, a "…"
// quoted identifier or a -- comment is left alone.
std::string NumberPlaceholders(std::string_view sql);

// True for a postgresql:// or postgres:// URL.
bool IsPostgresUrl(std::string_view target);

}  // namespace shuyou::store
