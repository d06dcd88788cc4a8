// Configuration layering (see config.h).
#include "cli/config.h"

#include <toml++/toml.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "core/mail.h"
#include "core/phone.h"

namespace shuyou::cli {

const std::vector<ConfigKey>& ConfigKeys() {
  static const std::vector<ConfigKey> kKeys = {
      {"listen", "127.0.0.1:8080", "address and port to serve HTTP on"},
      {"db", "data/shuyou.db", "SQLite file path, or a postgresql:// URL"},
      {"static_dir", "web/dist", "the built web front end"},
      {"threads", "0", "HTTP worker threads (0: 8 per core, at least 32)"},
      {"db_connections", "4", "SQLite reader connections / PostgreSQL pool size"},
      {"tls_cert", "", "PEM certificate chain; with tls_key, serve HTTPS"},
      {"tls_key", "", "PEM private key"},
      {"trusted_proxies", "", "comma-separated addresses of reverse proxies whose X-Forwarded-For/-Proto are believed"},
      {"max_body_bytes", "1048576", "largest request body accepted"},
      {"request_timeout_seconds", "30", "time allowed to receive one request"},
      {"session_ttl_hours", "12", "how long a sign-in lasts"},
      {"log_level", "info", "trace, debug, info, warn, error"},
      {"phone_region", "CN", "region (ISO 3166 code) a phone number typed without + is read in"},
      {"card_prefix", "8601", "digits new member card numbers start with (1-10 digits)"},
      {"timezone", "Asia/Shanghai", "the business's time zone (IANA name): birthdays, expiry dates, jobs"},
      {"jobs", "on", "on: serve runs the scheduled jobs (expiry, tiers, birthdays, outbox); off: only by hand"},
      {"smtp_url", "", "outgoing mail server, smtp://host:25 (STARTTLS when offered) or smtps://host:465; empty: mail waits in the outbox"},
      {"smtp_user", "", "SMTP user name (empty: no authentication)"},
      {"smtp_password", "", "SMTP password (never printed; prefer SHUYOU_SMTP_PASSWORD)"},
      {"mail_from", "", "sender of receipts and other mail, e.g. 书友书店 <receipts@example.com>"},
  };
  return kKeys;
}

static std::string EnvName(const std::string& key) {
  std::string e = "SHUYOU_";
  for (char c : key) e += char(std::toupper(static_cast<unsigned char>(c)));
  return e;
}

Result<Config> Config::Load(const std::string& config_file, const std::map<std::string, std::string>& flags) {
  Config c;
  for (const auto& k : ConfigKeys()) c.values_[k.name] = {k.default_value, "default"};
  std::string file = config_file;
  if (file.empty())
    if (const char* e = std::getenv("SHUYOU_CONFIG")) file = e;
  if (!file.empty()) {
    toml::table tbl;
    try {
      tbl = toml::parse_file(file);
    } catch (const toml::parse_error& err) {
      return Invalid("cannot read the config file " + file + ": " + std::string(err.description()));
    }
    for (const auto& [key, node] : tbl) {
      std::string k(key.str());
      if (!c.values_.count(k)) return Invalid("the config file " + file + " has an unknown key '" + k + "'");
      std::string v;
      if (auto s = node.value<std::string>()) v = *s;
      else if (auto i = node.value<int64_t>()) v = std::to_string(*i);
      else if (auto b = node.value<bool>()) v = *b ? "true" : "false";
      else return Invalid("the config key '" + k + "' must be a string or a number");
      c.values_[k] = {v, "file " + file};
    }
  }
  for (const auto& k : ConfigKeys()) {
    std::string env = EnvName(k.name);
    if (const char* e = std::getenv(env.c_str())) c.values_[k.name] = {e, "env " + env};
  }
  for (const auto& [k, v] : flags) {
    if (!c.values_.count(k)) return Invalid("unknown setting '" + k + "'");
    c.values_[k] = {v, "flag"};
  }
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
  bool known = false;
  for (const char* l : kLevels) known = known || c.Get("log_level") == l;
  if (!known)
    return Invalid("log_level must be one of trace, debug, info, warn, error, off (got '" + c.Get("log_level") +
                   "' from " + c.Source("log_level") + ")");
  return c;
}

Result<service::Settings> SettingsFromConfig(const Config& cfg) {
  service::Settings s;
  SY_ASSIGN_OR_RETURN(long long ttl, cfg.GetInt("session_ttl_hours", 1, 24 * 90));
  s.session_ttl_ms = ttl * 3600 * 1000;
  s.phone_region = cfg.Get("phone_region");
  for (auto& c : s.phone_region) c = char(std::toupper(static_cast<unsigned char>(c)));  // "cn" means CN
  if (!core::IsSupportedRegion(s.phone_region))
    return Invalid("phone_region must be a two-letter region code with a phone numbering plan, such as CN, US "
                   "or GB (got '" + cfg.Get("phone_region") + "' from " + cfg.Source("phone_region") + ")");
  s.card_prefix = cfg.Get("card_prefix");
  if (s.card_prefix.empty() || s.card_prefix.size() > 10 ||
      s.card_prefix.find_first_not_of("0123456789") != std::string::npos)
    return Invalid("card_prefix must be 1 to 10 digits (got '" + s.card_prefix + "' from " +
                   cfg.Source("card_prefix") + ")");
  s.timezone = cfg.Get("timezone");
  std::error_code ec;
  if (s.timezone.empty() || s.timezone.find("..") != std::string::npos || s.timezone.front() == '/' ||
      !std::filesystem::is_regular_file("/usr/share/zoneinfo/" + s.timezone, ec))
    return Invalid("timezone must be an IANA time zone such as Asia/Shanghai (got '" + s.timezone + "' from " +
                   cfg.Source("timezone") + ")");
  const std::string& jobs = cfg.Get("jobs");
  if (jobs != "on" && jobs != "off")
    return Invalid("jobs must be on or off (got '" + jobs + "' from " + cfg.Source("jobs") + ")");
  s.run_jobs = jobs == "on";
  s.smtp_url = cfg.Get("smtp_url");
  s.smtp_user = cfg.Get("smtp_user");
  s.smtp_password = cfg.Get("smtp_password");
  s.mail_from = cfg.Get("mail_from");
  if (!s.smtp_url.empty()) {
    if (s.smtp_url.rfind("smtp://", 0) != 0 && s.smtp_url.rfind("smtps://", 0) != 0)
      return Invalid("smtp_url must start with smtp:// or smtps:// (got '" + MaskSecrets(s.smtp_url) + "' from " +
                     cfg.Source("smtp_url") + ")");
    if (s.mail_from.empty())
      return Invalid("mail_from must be set when smtp_url is: the sender address of receipts, such as "
                     "receipts@example.com");
  }
  if (!s.mail_from.empty()) {
    std::string addr = s.mail_from;
    auto lt = addr.rfind('<'), gt = addr.rfind('>');
    if (lt != std::string::npos && gt != std::string::npos && gt > lt) addr = addr.substr(lt + 1, gt - lt - 1);
    if (!core::LooksLikeEmailAddress(addr) || s.mail_from.find_first_of("\r\n") != std::string::npos)
      return Invalid("mail_from must be an address such as receipts@example.com or 书友书店 <receipts@example.com> (got '" +
                     s.mail_from + "' from " + cfg.Source("mail_from") + ")");
  }
  return s;
}

const std::string& Config::Get(const std::string& key) const { return values_.at(key).first; }

std::string Config::Source(const std::string& key) const { return values_.at(key).second; }

Result<long long> Config::GetInt(const std::string& key, long long min, long long max) const {
  const std::string& v = Get(key);
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < min || n > max)
    return Invalid(key + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                   " (got '" + v + "' from " + Source(key) + ")");
  return n;
}

// Never print a database password: postgresql://user:secret@host/db?password=x → user:***@host/db?password=***
std::string MaskSecrets(std::string v) {
  auto scheme = v.find("://");
  if (scheme == std::string::npos) return v;
  size_t auth_end = v.find_first_of("/?#", scheme + 3);
  size_t at = v.rfind('@', auth_end == std::string::npos ? std::string::npos : auth_end);
  if (at != std::string::npos && at > scheme) {
    auto colon = v.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) v.replace(colon + 1, at - colon - 1, "***");
  }
  for (size_t pos = v.find("password=", scheme); pos != std::string::npos; pos = v.find("password=", pos + 1)) {
    if (v[pos - 1] != '?' && v[pos - 1] != '&') continue;
    size_t start = pos + 9, end = v.find_first_of("&#", start);
    v.replace(start, (end == std::string::npos ? v.size() : end) - start, "***");
  }
  return v;
}

std::string Config::Render() const {
  std::string out;
  for (const auto& k : ConfigKeys()) {
    auto [v, src] = values_.at(k.name);
    v = std::string(k.name).find("password") != std::string::npos && !v.empty() ? "***" : MaskSecrets(v);
    std::string quoted;
    for (char ch : v) {
      if (ch == '"' || ch == '\\') quoted += '\\';
      quoted += ch;
    }
    out += std::string(k.name) + " = \"" + quoted + "\"  # " + src + "; " + k.help + "\n";
  }
  return out;
}

}  // namespace shuyou::cli
