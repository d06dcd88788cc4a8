// The `shuyou` command: serve, migrate, config, backup, demo, import, check and admin subcommands.
// Each subcommand opens the database named by the configuration and calls the service layer.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <malloc.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include "cli/config.h"
#include "http/app.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "jobs/scheduler.h"
#include "core/money.h"
#include "service/business_day.h"
#include "service/auth.h"
#include "service/check.h"
#include "service/report_feed.h"
#include "service/demo_catalog.h"
#include "service/demo_members.h"
#include "service/demo_sales.h"
#include "service/member_import.h"
#include "service/product_import.h"
#include "service/sales_import.h"
#include "service/crypto.h"
#include "store/db.h"

using namespace shuyou;

namespace {

int Fail(const Status& st) {
  std::cerr << "shuyou: " << st.message() << "\n";
  for (const auto& d : st.details()) std::cerr << "  " << d.field << ": " << d.message << "\n";
  return st.code() == Code::kInvalidArgument ? 2 : 1;
}

struct Env {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<service::Context> ctx;
};

// Opens the configured database; `migrate` applies migrations. A missing SQLite file is created
// (with its folder) unless `must_exist`.
Result<Env> OpenDatabase(const cli::Config& cfg, bool migrate, bool must_exist = false) {
  SY_ASSIGN_OR_RETURN(long long conns, cfg.GetInt("db_connections", 1, 256));
  const std::string& target = cfg.Get("db");
  bool is_url = target.find("://") != std::string::npos;
  if (must_exist && !is_url && !std::filesystem::is_regular_file(target))
    return Invalid("there is no SQLite database at " + target);
  if (!is_url) {
    auto parent = std::filesystem::path(target).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }
  store::Options o;
  o.readers = int(conns);
  SY_ASSIGN_OR_RETURN(auto db, store::Database::Open(target, o));
  if (migrate) {
    SY_ASSIGN_OR_RETURN(int version, store::Migrate(*db));
    spdlog::debug("schema version {}", version);
  }
  SY_ASSIGN_OR_RETURN(service::Settings settings, cli::SettingsFromConfig(cfg));
  Env env;
  env.ctx = std::make_unique<service::Context>(service::Context{*db, settings, service::SystemNowMs});
  env.db = std::move(db);
  return env;
}

service::Actor CliActor();

// "line 3, 手机号 '12345': is not a valid phone number" for each problem, then how many more.
void PrintImportProblems(const std::vector<service::ImportProblem>& errors, int64_t error_count) {
  for (const auto& e : errors) {
    std::cout << "line " << e.line;
    if (!e.column.empty()) std::cout << ", " << e.column;
    if (!e.value.empty()) std::cout << " '" << e.value << "'";
    std::cout << ": " << e.message << "\n";
  }
  if (error_count > int64_t(errors.size()))
    std::cout << "… and " << (error_count - int64_t(errors.size())) << " more problems\n";
}

// Prints an import report as `shuyou import members` shows it: counts, then each problem.
void PrintImportReport(const service::ImportReport& r) {
  std::cout << (r.dry_run ? "dry run (nothing written): " : "imported: ") << r.rows << " rows (" << r.encoding
            << "), " << r.valid << (r.dry_run ? " would be imported" : " good") << ", " << r.imported
            << " imported, " << r.skipped << " skipped (already members), " << r.invalid << " with problems\n";
  for (const auto& c : r.columns) std::cout << "  column " << c << "\n";
  for (const auto& c : r.ignored_columns) std::cout << "  column " << c << " (ignored: not a known field)\n";
  PrintImportProblems(r.errors, r.error_count);
}

// Prints `shuyou import products`' report: counts, stock, new categories, then each problem.
void PrintProductImportReport(const service::ProductImportReport& r) {
  std::cout << (r.dry_run ? "dry run (nothing written): " : "imported: ") << r.rows << " rows (" << r.encoding
            << "), " << r.created << (r.dry_run ? " to create, " : " created, ") << r.updated
            << (r.dry_run ? " to update, " : " updated, ") << r.unchanged << " unchanged, " << r.invalid
            << " with problems\n";
  if (r.stock_rows || r.stock_kept || r.reorder_points)
    std::cout << "  opening stock: " << r.stock_units << " copies on " << r.stock_rows << " rows"
              << (r.store_id ? " (default store id " + std::to_string(*r.store_id) + ")" : "") << ", " << r.stock_kept
              << " rows kept (already stocked), " << r.reorder_points << " reorder points set\n";
  for (const auto& c : r.new_categories) std::cout << "  new category " << c << "\n";
  for (const auto& c : r.columns) std::cout << "  column " << c << "\n";
  for (const auto& c : r.ignored_columns) std::cout << "  column " << c << " (ignored: not a known field)\n";
  PrintImportProblems(r.errors, r.error_count);
}

// Hands the table file at `path` to `xlsx` (its bytes, when it has the ZIP signature) or to
// `csv` (streamed from the file).
template <typename Report>
Result<Report> ImportTableFile(const std::string& path, const std::function<Result<Report>(const std::string&)>& xlsx,
                               const std::function<Result<Report>(std::istream&)>& csv) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid("cannot open " + path);
  char magic[4] = {};
  in.read(magic, 4);
  in.clear();
  in.seekg(0);
  if (std::string_view(magic, 4) == std::string_view("PK\x03\x04", 4)) {
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return xlsx(bytes.str());
  }
  return csv(in);
}

// Imports (or with dry_run checks) the member list at `path`.
Result<service::ImportReport> ImportMembersFile(service::Context& ctx, const std::string& path, bool dry_run) {
  service::ImportOptions opt;
  opt.dry_run = dry_run;
  opt.file_name = std::filesystem::path(path).filename().string();
  opt.max_errors = 100000;
  return ImportTableFile<service::ImportReport>(
      path, [&](const std::string& bytes) { return service::ImportMembersXlsx(ctx, CliActor(), bytes, opt); },
      [&](std::istream& in) { return service::ImportMembersCsv(ctx, CliActor(), in, opt); });
}

// Imports (or with dry_run checks) the catalog list at `path`; opening stock goes to the store
// with code `store` (rows may name their own in a 门店/store column).
Result<service::ProductImportReport> ImportProductsFile(service::Context& ctx, const std::string& path, bool dry_run,
                                                        const std::string& store) {
  service::ProductImportOptions opt;
  opt.dry_run = dry_run;
  opt.file_name = std::filesystem::path(path).filename().string();
  opt.store_code = store;
  opt.max_errors = 100000;
  return ImportTableFile<service::ProductImportReport>(
      path, [&](const std::string& bytes) { return service::ImportProductsXlsx(ctx, CliActor(), bytes, opt); },
      [&](std::istream& in) { return service::ImportProductsCsv(ctx, CliActor(), in, opt); });
}

// Prints `shuyou import sales`' report: receipts, sales and returns, what was created, then
// each problem.
void PrintSalesImportReport(const service::SalesImportReport& r) {
  std::cout << (r.dry_run ? "dry run (nothing written): " : "imported: ") << r.rows << " rows (" << r.encoding << "), "
            << r.valid << (r.dry_run ? " would be imported" : " imported") << " in " << r.receipts << " receipts, "
            << r.invalid << " with problems, " << r.receipts_skipped << " receipts (" << r.rows_skipped
            << " rows) already imported\n";
  std::cout << "  " << r.sales << " sales with " << r.lines << " lines (" << core::FormatMoney(core::Money(r.net_total, core::kCNY)) << "), "
            << r.returns << " returns with " << r.return_lines << " lines (" << core::FormatMoney(core::Money(r.refund_total, core::kCNY))
            << " refunded)";
  if (!r.first_day.empty()) std::cout << ", " << r.first_day << " to " << r.last_day;
  std::cout << "\n  " << r.members_created << (r.dry_run ? " members to create, " : " members created, ")
            << r.products_created << (r.dry_run ? " products to create" : " products created");
  if (!r.dry_run) std::cout << ", " << r.points_earned << " points earned, " << r.tier_changes << " tier upgrades";
  std::cout << "\n";
  for (const auto& c : r.columns) std::cout << "  column " << c << "\n";
  for (const auto& c : r.ignored_columns) std::cout << "  column " << c << " (ignored: not a known field)\n";
  PrintImportProblems(r.errors, r.error_count);
}

// Imports (or with dry_run checks) a sales history at `path`.
Result<service::SalesImportReport> ImportSalesFile(service::Context& ctx, const std::string& path,
                                                   service::SalesImportOptions opt) {
  opt.file_name = std::filesystem::path(path).filename().string();
  opt.max_errors = 100000;
  return ImportTableFile<service::SalesImportReport>(
      path, [&](const std::string& bytes) { return service::ImportSalesXlsx(ctx, CliActor(), bytes, opt); },
      [&](std::istream& in) { return service::ImportSalesCsv(ctx, CliActor(), in, opt); });
}

service::Actor CliActor() {
  service::Actor a;
  a.kind = "system";
  a.name = "cli";
  a.role = core::Role::kOwner;
  a.ip = "local";
  return a;
}

// Seeds the demo store and its owner when they are missing; safe to run again. Answers the
// demo store's id.
Result<int64_t> SeedDemo(service::Context& ctx) {
  auto stores = service::ListStores(ctx, {}, "");
  if (!stores.ok()) return stores.status();
  std::optional<int64_t> store_id;
  for (const auto& s : stores->items)
    if (s.code == "DEMO") store_id = s.id;
  if (!store_id) {
    service::StoreFields f;
    f.code = "DEMO";
    f.name = "书友书店 · 示范店 (Shuyou Demo Bookstore)";
    f.address = "上海市黄浦区福州路 1 号";
    f.phone = "+86 21 5555 0100";
    SY_ASSIGN_OR_RETURN(auto s, service::CreateStore(ctx, CliActor(), f));
    store_id = s.id;
  }
  auto existing = service::ListStaff(ctx, CliActor(), {}, {"owner", std::nullopt});
  if (!existing.ok()) return existing.status();
  for (const auto& s : existing->items)
    if (s.username == "owner") return *store_id;
  service::NewStaff owner{"owner", "店主 Owner", "owner", store_id, "shuyou-demo"};
  SY_RETURN_IF_ERROR(service::CreateStaff(ctx, CliActor(), owner).status());
  return *store_id;
}

}  // namespace

int main(int argc, char** argv) {
  // glibc gives freed memory back to the kernel as soon as 128 KiB sit free at the top of a heap
  // (madvise, then page faults to get it back): under a till's load that churn cost a quarter of
  // the checkout rate (docs/benchmarks.md). Keep up to 256 MiB, grow heaps 64 MiB at a time, and
  // serve blocks up to 32 MiB from the heaps rather than fresh mappings. Each malloc arena keeps
  // its own free memory, and glibc makes up to 8 arenas per core for the server's many threads:
  // four arenas bound what is kept (a report's large answer on several threads once held 2.7 GB;
  // two cores gain nothing from more).
  mallopt(M_ARENA_MAX, 4);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  service::InitCrypto();
  CLI::App app{"Shuyou (书友): membership, loyalty and cashier system for bookstores"};
  app.require_subcommand(1);
  std::string config_file;
  std::map<std::string, std::string> flags;
  auto flag = [&](CLI::App* sub, const std::string& opt, const std::string& key, const std::string& help) {
    sub->add_option_function<std::string>(opt, [&flags, key](const std::string& v) { flags[key] = v; }, help);
  };
  app.add_option("--config", config_file, "TOML configuration file (or SHUYOU_CONFIG)");
  flag(&app, "--db", "db", "SQLite file path or postgresql:// URL (or SHUYOU_DB)");
  flag(&app, "--phone-region", "phone_region", "region a phone number without + is read in (or SHUYOU_PHONE_REGION)");
  flag(&app, "--card-prefix", "card_prefix", "digits new member card numbers start with (or SHUYOU_CARD_PREFIX)");
  flag(&app, "--timezone", "timezone", "the business's IANA time zone (or SHUYOU_TIMEZONE)");
  app.fallthrough();

  auto* serve = app.add_subcommand("serve", "run the HTTP server (migrates the database first)");
  flag(serve, "--listen", "listen", "HOST:PORT to listen on");
  flag(serve, "--static-dir", "static_dir", "directory of the built web front end");
  flag(serve, "--threads", "threads", "worker threads");
  flag(serve, "--jobs", "jobs", "on or off: run the scheduled jobs in this server");
  flag(serve, "--tls-cert", "tls_cert", "PEM certificate chain for HTTPS");
  flag(serve, "--tls-key", "tls_key", "PEM private key for HTTPS");
  flag(serve, "--trusted-proxies", "trusted_proxies", "comma-separated reverse proxy addresses to believe X-Forwarded-For from");
  serve->fallthrough();

  auto* migrate = app.add_subcommand("migrate", "apply database migrations");
  migrate->fallthrough();
  auto* config = app.add_subcommand("config", "print the effective configuration and where each value came from");
  config->fallthrough();
  auto* backup = app.add_subcommand("backup", "copy a live SQLite database consistently");
  std::string backup_to;
  backup->add_option("--to", backup_to, "destination file (must not exist)")->required();
  backup->fallthrough();
  auto* demo = app.add_subcommand("demo", "create the demo store, owner account (owner / shuyou-demo) and catalog");
  int64_t demo_members = 0;
  uint64_t demo_seed = 1;
  int64_t demo_products = 200;
  demo->add_option("--members", demo_members, "also generate this many members (deterministic for a seed)");
  demo->add_option("--products", demo_products, "demo catalog size: books with stock in the demo store (default 200)");
  demo->add_option("--seed", demo_seed, "seed for generated data");
  int64_t demo_months = 3;
  int64_t demo_sales_per_day = 0;
  demo->add_option("--months", demo_months, "sales history of this many months up to today (0-36, default 3; 0 = none)");
  demo->add_option("--sales-per-day", demo_sales_per_day,
                   "average sales per day of the history (default: members / 165, at least 40)");
  demo->fallthrough();

  auto* import = app.add_subcommand("import", "import data from another system");
  import->require_subcommand(1);
  import->fallthrough();
  auto* import_members = import->add_subcommand("members", "import members from a CSV or XLSX file (repeatable: known phones are skipped)");
  std::string import_file;
  bool import_dry_run = false;
  import_members->add_option("FILE", import_file, "CSV (UTF-8 or GB18030) or XLSX file")->required();
  import_members->add_flag("--dry-run", import_dry_run, "check every row and report, writing nothing");
  import_members->fallthrough();
  auto* import_products = import->add_subcommand(
      "products", "import books and other items from a CSV or XLSX file (repeatable: known codes are updated)");
  std::string import_store;
  import_products->add_option("FILE", import_file, "CSV (UTF-8 or GB18030) or XLSX file")->required();
  import_products->add_flag("--dry-run", import_dry_run, "check every row and report, writing nothing");
  import_products->add_option("--store", import_store, "code of the store that receives the opening stock");
  import_products->fallthrough();
  auto* import_sales = import->add_subcommand(
      "sales", "import a store's past sales from a CSV or XLSX file (repeatable: imported receipts are skipped)");
  std::vector<std::string> import_map;
  bool import_earn_points = false;
  import_sales->add_option("FILE", import_file, "CSV (UTF-8 or GB18030) or XLSX file, one row per receipt line")->required();
  import_sales->add_flag("--dry-run", import_dry_run, "check every row and report, writing nothing");
  import_sales->add_option("--store", import_store, "code of the store for rows without a 门店/store column");
  import_sales->add_option("--map", import_map,
                           "HEADER=field: the column named HEADER holds field (receipt, date, time, phone, customer, "
                           "isbn, barcode, description, quantity, unit_price, store); repeatable");
  import_sales->add_flag("--earn-points", import_earn_points, "members earn points on the imported sales (default: none)");
  import_sales->fallthrough();

  auto* check = app.add_subcommand("check", "verify that cached balances agree with their ledgers (exit 1 when not)");
  check->fallthrough();

  auto* reports_cmd = app.add_subcommand("reports", "the report aggregates");
  reports_cmd->require_subcommand(1);
  reports_cmd->fallthrough();
  auto* reports_rebuild = reports_cmd->add_subcommand(
      "rebuild", "recompute every report aggregate from the raw sales, returns and points (one transaction)");
  reports_rebuild->fallthrough();

  auto* jobs_cmd = app.add_subcommand("jobs", "the scheduled jobs: run one by hand, list recent runs");
  jobs_cmd->require_subcommand(1);
  jobs_cmd->fallthrough();
  auto* jobs_run = jobs_cmd->add_subcommand("run", "run one job for a business day (skipped when that day is done)");
  std::string job_name, job_date;
  jobs_run->add_option("name", job_name, "points-expiry, tier-evaluation, birthday-bonus or outbox (sends due e-mail)")->required();
  jobs_run->add_option("--date", job_date, "business day YYYY-MM-DD (default: today in the configured time zone)");
  jobs_run->fallthrough();
  auto* jobs_list = jobs_cmd->add_subcommand("list", "show the most recent job runs");
  int jobs_limit = 20;
  jobs_list->add_option("--limit", jobs_limit, "how many runs (1-200)");
  jobs_list->fallthrough();

  auto* admin = app.add_subcommand("admin", "administration");
  admin->require_subcommand(1);
  admin->fallthrough();
  auto* create_user = admin->add_subcommand("create-user", "create a staff account");
  std::string username, role, display_name;
  std::optional<int64_t> store_id;
  bool password_stdin = false;
  create_user->add_option("--username", username)->required();
  create_user->add_option("--role", role, "owner, manager, cashier or marketer")->required();
  create_user->add_option("--display-name", display_name);
  create_user->add_option("--store-id", store_id, "home store");
  create_user->add_flag("--password-stdin", password_stdin, "read the password from standard input")->required();
  create_user->fallthrough();
  auto* create_key = admin->add_subcommand("create-api-key", "create an API key for an integration (printed once)");
  std::string key_name, key_role;
  create_key->add_option("--name", key_name)->required();
  create_key->add_option("--role", key_role, "owner, manager, cashier or marketer")->required();
  create_key->fallthrough();

  CLI11_PARSE(app, argc, argv);

  auto cfg = cli::Config::Load(config_file, flags);
  if (!cfg.ok()) return Fail(cfg.status());
  spdlog::set_level(spdlog::level::from_str(cfg->Get("log_level")));

  if (config->parsed()) {
    std::cout << cfg->Render();
    return 0;
  }
  if (backup->parsed()) {
    auto env = OpenDatabase(*cfg, false, true);
    if (!env.ok()) return Fail(env.status());
    auto version = store::SchemaVersion(*env->db);
    if (!version.ok()) return Fail(version.status());
    if (*version == 0) return Fail(Invalid(cfg->Get("db") + " is not a Shuyou database (no schema)"));
    Status st = env->db->Backup(backup_to);
    if (!st.ok()) return Fail(st);
    std::cout << "backup written to " << backup_to << "\n";
    return 0;
  }
  // `check` inspects an existing database; everything else may create one.
  auto env = OpenDatabase(*cfg, true, check->parsed());
  if (!env.ok()) return Fail(env.status());
  auto& ctx = *env->ctx;

  if (migrate->parsed()) {
    auto v = store::SchemaVersion(*env->db);
    if (!v.ok()) return Fail(v.status());
    std::cout << "database is at schema version " << *v << "\n";
    return 0;
  }
  if (check->parsed()) {
    auto found = service::CheckInvariants(ctx);
    if (!found.ok()) return Fail(found.status());
    for (const auto& m : *found)
      std::cout << "MISMATCH " << (m.subject.empty() ? "member " + std::to_string(m.member_id) : m.subject) << ": "
                << m.invariant << ": cached " << m.cached << ", ledger says " << m.computed << "\n";
    if (!found->empty()) {
      std::cout << found->size() << " mismatches\n";
      return 1;
    }
    std::cout << "ok: every member's points and stored-value balances and every stock level agree with their ledgers, and the report aggregates with the raw sales\n";
    return 0;
  }
  if (demo->parsed()) {
    auto store_id = SeedDemo(ctx);
    if (!store_id.ok()) return Fail(store_id.status());
    if (demo_members < 0) return Fail(Invalid("--members must be 0 or more"));
    auto books = service::GenerateDemoCatalog(ctx, demo_products, demo_seed, *store_id);
    if (!books.ok()) return Fail(books.status());
    if (*books > 0) std::cout << "added " << *books << " demo books (seed " << demo_seed << ")\n";
    if (demo_members > 0) {
      auto added = service::GenerateDemoMembers(ctx, demo_members, demo_seed, *store_id);
      if (!added.ok()) return Fail(added.status());
      std::cout << "added " << *added << " demo members (seed " << demo_seed << ")\n";
    }
    if (demo_months != 0) {
      service::DemoSalesOptions so;
      so.months = demo_months;
      so.seed = demo_seed;
      so.store_ids = {*store_id};
      if (demo_sales_per_day != 0) so.sales_per_day = demo_sales_per_day;
      auto sales = service::GenerateDemoSales(ctx, so);
      if (!sales.ok()) return Fail(sales.status());
      if (sales->skipped)
        std::cout << "the database already has sales: no demo sales history added\n";
      else
        std::cout << "added " << sales->sales << " demo sales (" << sales->lines << " lines, " << sales->member_sales
                  << " with a member, " << sales->returns << " returns, " << sales->points_rows << " points rows, "
                  << sales->tier_changes << " tier upgrades) from " << sales->first_day << " to " << sales->last_day
                  << " (seed " << demo_seed << "); report aggregates rebuilt in " << sales->reports_ms << " ms\n";
    }
    std::cout << "demo data ready: sign in as 'owner' with password 'shuyou-demo'\n";
    return 0;
  }
  if (reports_rebuild->parsed()) {
    service::RebuildStats stats;
    Status st = ctx.db.Write([&](store::Tx& tx) { return service::RebuildReports(tx, ctx, &stats); });
    if (!st.ok()) return Fail(st);
    if (stats.joined_on_filled > 0)
      std::cout << "members.joined_on filled from created_at for " << stats.joined_on_filled << " members\n";
    for (const auto& [table, rows] : stats.rows) std::cout << table << ": " << rows << " rows\n";
    std::cout << "report aggregates rebuilt in " << stats.elapsed_ms << " ms\n";
    return 0;
  }
  if (jobs_run->parsed() && job_name == jobs::kOutboxJob) {
    auto run = jobs::RunOutbox(ctx);
    if (!run.ok()) return Fail(run.status());
    if (!run->enabled) {
      std::cout << "outbox: e-mail delivery is off (smtp_url is not set); messages stay pending\n";
      return 0;
    }
    std::cout << "outbox: " << run->report.sent << " sent, " << run->report.retried << " to retry, "
              << run->report.failed << " failed\n";
    return run->report.failed ? 1 : 0;
  }
  if (jobs_run->parsed()) {
    auto day = job_date.empty() ? service::Today(ctx) : service::ParseDay(job_date);
    if (!day.ok()) return Fail(Invalid("--date " + day.status().message()));
    auto run = jobs::RunJob(ctx, job_name, *day, "cli");
    if (!run.ok()) return Fail(run.status());
    if (run->skipped) {
      std::cout << job_name << " " << run->day << " already done (run " << run->id << "); nothing to do\n";
      return 0;
    }
    std::cout << job_name << " " << run->day << ": " << run->status << ", " << run->members << " members, "
              << run->points << " points" << (run->error.empty() ? "" : ": " + run->error) << "\n";
    return run->status == "done" ? 0 : 1;
  }
  if (jobs_list->parsed()) {
    auto runs = jobs::ListJobRuns(ctx, jobs_limit);
    if (!runs.ok()) return Fail(runs.status());
    if (runs->empty()) std::cout << "no job runs yet\n";
    for (const auto& r : *runs)
      std::cout << r.day << "  " << r.job << "  " << r.status << "  " << r.members << " members  " << r.points
                << " points  (" << r.trigger << ")" << (r.error.empty() ? "" : "  " + r.error) << "\n";
    return 0;
  }
  if (import_members->parsed()) {
    auto rep = ImportMembersFile(ctx, import_file, import_dry_run);
    if (!rep.ok()) return Fail(rep.status());
    PrintImportReport(*rep);
    return 0;
  }
  if (import_products->parsed()) {
    auto rep = ImportProductsFile(ctx, import_file, import_dry_run, import_store);
    if (!rep.ok()) return Fail(rep.status());
    PrintProductImportReport(*rep);
    return 0;
  }
  if (import_sales->parsed()) {
    service::SalesImportOptions opt;
    opt.dry_run = import_dry_run;
    opt.store_code = import_store;
    opt.earn_points = import_earn_points;
    for (const auto& m : import_map) {
      auto eq = m.rfind('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == m.size())
        return Fail(Invalid("--map takes HEADER=field, such as 交易号=receipt, not '" + m + "'"));
      opt.mapping.push_back({m.substr(0, eq), m.substr(eq + 1)});
    }
    auto rep = ImportSalesFile(ctx, import_file, opt);
    if (!rep.ok()) return Fail(rep.status());
    PrintSalesImportReport(*rep);
    return 0;
  }
  if (create_user->parsed()) {
    std::string password;
    std::getline(std::cin, password);
    auto res = service::CreateStaff(ctx, CliActor(), {username, display_name, role, store_id, password});
    if (!res.ok()) return Fail(res.status());
    std::cout << "created " << role << " '" << username << "' (id " << res->id << ")\n";
    return 0;
  }
  if (create_key->parsed()) {
    auto res = service::CreateApiKey(ctx, CliActor(), key_name, key_role);
    if (!res.ok()) return Fail(res.status());
    std::cout << res->key << "\n";
    std::cerr << "API key '" << key_name << "' (" << key_role << ") created; it is shown only this once.\n";
    return 0;
  }

  // serve
  auto threads = cfg->GetInt("threads", 0, 256);
  auto body = cfg->GetInt("max_body_bytes", 1024, 1LL << 30);
  auto timeout = cfg->GetInt("request_timeout_seconds", 1, 3600);
  for (const auto* r : {&threads, &body, &timeout})
    if (!r->ok()) return Fail(r->status());
  http::ServerOptions so;
  const std::string& listen = cfg->Get("listen");
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Fail(Invalid("listen must be HOST:PORT, got '" + listen + "'"));
  so.host = listen.substr(0, colon);
  if (so.host.size() > 2 && so.host.front() == '[') so.host = so.host.substr(1, so.host.size() - 2);
  try {
    int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    so.port = uint16_t(port);
  } catch (const std::exception&) {
    return Fail(Invalid("listen must be HOST:PORT, got '" + listen + "'"));
  }
  so.threads = int(*threads);
  so.max_body_bytes = size_t(*body);
  so.request_timeout_s = int(*timeout);
  so.tls_cert = cfg->Get("tls_cert");
  so.tls_key = cfg->Get("tls_key");

  http::AppOptions ao;
  ao.static_dir = cfg->Get("static_dir");
  ao.secure_cookies = !so.tls_cert.empty();
  for (std::string list = cfg->Get("trusted_proxies"); !list.empty();) {
    size_t comma = list.find(',');
    std::string addr = list.substr(0, comma);
    addr.erase(0, addr.find_first_not_of(' '));
    addr.erase(addr.find_last_not_of(' ') + 1);
    if (!addr.empty()) ao.trusted_proxies.push_back(addr);
    list = comma == std::string::npos ? "" : list.substr(comma + 1);
  }
  ao.settings = ctx.settings;
  if (!std::filesystem::exists(std::filesystem::path(ao.static_dir) / "index.html"))
    spdlog::warn("no web front end at {} (run make build); the API still works", ao.static_dir);
  http::App web(*env->db, ao);
  jobs::Scheduler scheduler(web.context());  // stopped (joined) when it goes out of scope after shutdown
  if (ctx.settings.run_jobs) scheduler.Start();
  Status st = http::RunServer(web, so, [&](uint16_t port) {
    // In one write: the jobs' log lines go to the same stdout from their own thread, and a line
    // written piece by piece could be split by one of them (scripts read the port from it).
    std::string line = std::string("shuyou serving ") + (so.tls_cert.empty() ? "http" : "https") + "://" + so.host +
                       ":" + std::to_string(port) + " on " + std::string(store::EngineName(env->db->engine())) + "\n";
    std::cout << line << std::flush;
  });
  scheduler.Stop();
  if (!st.ok()) return Fail(st);
  return 0;
}
