// Fresh databases for integration tests on either engine: SQLite in a new temp file (removed at
// exit) or a new database in the test PostgreSQL cluster. Failures throw, so the test using
// them fails with the reason. Parametrized suites are named "Sqlite"/"Postgres" for the filters.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/db.h"

namespace shuyou::test {

// A path (SQLite) or URL (PostgreSQL) naming a new, empty database.
std::string NewTestDatabaseTarget(store::Engine engine);
// Opens `target`, throwing std::runtime_error on failure.
std::unique_ptr<store::Database> OpenTestDatabase(const std::string& target,
                                                  const store::Options& opt = {});
std::unique_ptr<store::Database> NewTestDatabase(store::Engine engine,
                                                 const store::Options& opt = {});
// As NewTestDatabase, with every migration applied.
std::unique_ptr<store::Database> NewMigratedTestDatabase(store::Engine engine,
                                                         const store::Options& opt = {});

// The name suffix of a test parametrized by engine: "Sqlite" or "Postgres".
std::string EngineParamName(const ::testing::TestParamInfo<store::Engine>& info);

}  // namespace shuyou::test

// Instantiates a TEST_P suite over both engines: Engines/Suite.Test/Sqlite and …/Postgres.
#define SHUYOU_INSTANTIATE_FOR_ENGINES(Suite)                                                  \
  INSTANTIATE_TEST_SUITE_P(                                                                    \
      Engines, Suite,                                                                          \
      ::testing::Values(::shuyou::store::Engine::kSqlite, ::shuyou::store::Engine::kPostgres), \
      ::shuyou::test::EngineParamName)
