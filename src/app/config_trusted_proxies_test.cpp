// trustedProxies: the file, the environment, --set, its errors and --print-config.
#include <gtest/gtest.h>

#include "app/config.hpp"

using app::ConfigError;
using app::parse_config;

namespace {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigTrustedProxies, DefaultsToNoneAndReadsAList) {
  EXPECT_TRUE(app::Config{}.trusted_proxies.empty());
  const auto c =
      parse_config("rtmp: yes\ntrustedProxies: [127.0.0.1, 10.0.0.0/8, '::1', fd00::/8]\n");
  EXPECT_EQ(c.trusted_proxies,
            (std::vector<std::string>{"127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"}));
  const auto block = parse_config("trustedProxies:\n  - 192.168.1.0/24\n  - 2001:db8::1\n");
  EXPECT_EQ(block.trusted_proxies.size(), 2u);
}

TEST(ConfigTrustedProxies, BadEntryNamesFileLineAndEntry) {
  EXPECT_EQ(error_of([] {
              parse_config("rtmp: yes\ntrustedProxies: [127.0.0.1, 10.0.0.0/33]\n", "airclass.yml");
            }),
            "airclass.yml:2: key 'trustedProxies': expected a list of up to 256 IP addresses or "
            "CIDR networks like 10.0.0.0/8, got '10.0.0.0/33'");
  for (const char* bad :
       {"trustedProxies: [nginx.local]\n", "trustedProxies: [10.0.0.1:80]\n",
        "trustedProxies: ['']\n", "trustedProxies: [fe80::1%eth0]\n", "trustedProxies: 10.0.0.1\n",
        "trustedProxies: [[10.0.0.1]]\n", "trustedProxies: {a: 1}\n"}) {
    EXPECT_THROW(parse_config(bad), ConfigError) << bad;
  }
}

TEST(ConfigTrustedProxies, EnvironmentSetAndPrintRoundTrip) {
  app::Config c;
  app::apply_environment(c, {{"AIRCLASS_TRUSTED_PROXIES", "127.0.0.1,::1"}});
  EXPECT_EQ(c.trusted_proxies, (std::vector<std::string>{"127.0.0.1", "::1"}));
  app::apply_setting(c, "trustedProxies", "10.0.0.0/8, 172.16.0.0/12", "--set trustedProxies");
  EXPECT_EQ(c.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "172.16.0.0/12"}));
  EXPECT_EQ(error_of([&] { app::apply_setting(c, "trustedProxies", "10.0.0.0/8,x", "--set t"); }),
            "--set t: expected a list of up to 256 IP addresses or CIDR networks like 10.0.0.0/8, "
            "got 'x'");
  EXPECT_EQ(c.trusted_proxies.size(), 2u);  // a refused value changes nothing
  const auto text = app::print_config(c);
  EXPECT_NE(text.find("\ntrustedProxies: [\"10.0.0.0/8\", \"172.16.0.0/12\"]"), std::string::npos)
      << text;
  EXPECT_EQ(parse_config(text, "printed.yml").trusted_proxies, c.trusted_proxies);
}

}  // namespace
