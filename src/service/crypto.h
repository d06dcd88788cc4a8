// Secrets: random tokens, token digests and password hashes (libsodium, argon2id).
// Tokens are stored only as digests; passwords only as argon2id strings.
#pragma once

#include <string>
#include <string_view>

namespace shuyou::service {

// Call once before any other function here (safe to call again).
void InitCrypto();
// `bytes` random bytes as base64url text.
std::string RandomToken(size_t bytes = 32);
// Hex SHA-256 of a token, for lookup by digest.
std::string TokenDigest(std::string_view token);
// argon2id with libsodium's "interactive" limits (64 MiB, 2 passes) unless changed below.
std::string HashPassword(std::string_view password);
// Lowers the argon2id limits to libsodium's minimum. For tests only, where hundreds of
// accounts are made: production code never calls it.
void UseMinimalPasswordHashingForTests();
bool VerifyPassword(std::string_view hash, std::string_view password);
// Constant-time comparison of two strings.
bool SecureEquals(std::string_view a, std::string_view b);

}  // namespace shuyou::service
