// Entry point of the integration test binary (it links gtest, not gtest_main).
// Request access lines are silenced (warnings and errors still show); SHUYOU_TEST_LOG=info
// brings them back when a failure needs them.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const char* level = std::getenv("SHUYOU_TEST_LOG");
  spdlog::set_level(level ? spdlog::level::from_str(level) : spdlog::level::warn);
  return RUN_ALL_TESTS();
}
