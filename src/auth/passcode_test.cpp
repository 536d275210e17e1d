#include "auth/passcode.hpp"

#include <gtest/gtest.h>

#include <set>

#include "auth/base64url.hpp"

namespace auth {
namespace {

TEST(Passcode, MatchesOnlyTheExactValue) {
  const Passcode p("7KQ2MX9RTA");
  EXPECT_TRUE(p.configured());
  EXPECT_TRUE(p.matches("7KQ2MX9RTA"));
  EXPECT_FALSE(p.matches("7kq2mx9rta"));  // case-sensitive
  EXPECT_FALSE(p.matches("7KQ2MX9RT"));   // prefix
  EXPECT_FALSE(p.matches("7KQ2MX9RTAX"));
  EXPECT_FALSE(p.matches(""));
  EXPECT_FALSE(p.matches(std::string_view("7KQ2MX9RTA\0", 11)));
  EXPECT_FALSE(p.matches(std::string(MaxPasscodeSize + 1, 'A')));
}

TEST(Passcode, UnconfiguredMatchesNothing) {
  const Passcode p("");
  EXPECT_FALSE(p.configured());
  EXPECT_FALSE(p.matches(""));
  EXPECT_FALSE(p.matches("anything"));
  EXPECT_FALSE(Passcode(std::string(MaxPasscodeSize + 1, 'A')).configured());
  const Passcode longest(std::string(MaxPasscodeSize, 'A'));
  EXPECT_TRUE(longest.matches(std::string(MaxPasscodeSize, 'A')));
}

TEST(Passcode, GeneratesUnambiguousCodes) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const auto code = generate_passcode();
    ASSERT_EQ(code.size(), 10u);
    for (char c : code)
      ASSERT_NE(PasscodeAlphabet.find(c), std::string_view::npos) << code;
    seen.insert(code);
    EXPECT_TRUE(Passcode(code).matches(code));
  }
  EXPECT_EQ(seen.size(), 200u);
  for (char c : std::string_view("01OIL"))
    EXPECT_EQ(PasscodeAlphabet.find(c), std::string::npos);
  EXPECT_EQ(generate_passcode(6).size(), 6u);
  EXPECT_EQ(generate_passcode(5), "");
  EXPECT_EQ(generate_passcode(65), "");
}

TEST(Passcode, GeneratesSecrets) {
  const auto a = generate_secret();
  const auto b = generate_secret();
  EXPECT_EQ(a.size(), 43u);  // >= 32 bytes of text, so usable as an HS256 secret
  EXPECT_NE(a, b);
  EXPECT_EQ(base64url_decode(a)->size(), 32u);
  EXPECT_EQ(generate_secret(64).size(), 86u);
  EXPECT_EQ(generate_secret(15), "");
  EXPECT_EQ(generate_secret(65), "");
}

}  // namespace
}  // namespace auth
