// Secrets via libsodium (see crypto.h).
#include "service/crypto.h"

#include <sodium.h>

#include <atomic>
#include <stdexcept>
#include <string>

#include "core/encoding.h"

namespace shuyou::service {

void InitCrypto() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
}

std::string RandomToken(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return core::Base64UrlEncode(raw);
}

std::string TokenDigest(std::string_view token) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

namespace {
std::atomic<unsigned long long> g_opslimit{crypto_pwhash_OPSLIMIT_INTERACTIVE};
std::atomic<size_t> g_memlimit{crypto_pwhash_MEMLIMIT_INTERACTIVE};
}  // namespace

void UseMinimalPasswordHashingForTests() {
  g_opslimit = crypto_pwhash_OPSLIMIT_MIN;
  g_memlimit = crypto_pwhash_MEMLIMIT_MIN;
}

std::string HashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), g_opslimit, g_memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return out;
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  std::string h(hash);  // needs a NUL-terminated string
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

bool SecureEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace shuyou::service
