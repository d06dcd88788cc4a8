// Effective configuration of a `shuyou` run: defaults, then an optional TOML file
// (--config / SHUYOU_CONFIG), then SHUYOU_* environment variables, then flags; later wins.
// `shuyou config` prints each key with its value and where it came from.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "service/services.h"

namespace shuyou::cli {

struct ConfigKey {
  const char* name;         // also the TOML key; env is SHUYOU_<NAME upper-cased>
  const char* default_value;
  const char* help;
};

const std::vector<ConfigKey>& ConfigKeys();

// A database URL with any password replaced by ***, for printing.
std::string MaskSecrets(std::string url);

class Config {
 public:
  // `flags` holds the values given on the command line (key → value).
  static Result<Config> Load(const std::string& config_file, const std::map<std::string, std::string>& flags);
  const std::string& Get(const std::string& key) const;
  Result<long long> GetInt(const std::string& key, long long min, long long max) const;
  std::string Source(const std::string& key) const;
  std::string Render() const;  // TOML-like text with the source of each value as a comment

 private:
  std::map<std::string, std::pair<std::string, std::string>> values_;  // key → (value, source)
};

// The service settings the configuration gives (session_ttl_hours, phone_region, card_prefix,
// timezone, jobs), each checked: Invalid names the key, the value and where it came from.
Result<service::Settings> SettingsFromConfig(const Config& cfg);

}  // namespace shuyou::cli
