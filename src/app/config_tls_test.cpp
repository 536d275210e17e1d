// The TLS keys: MediaMTX's names and values, the API's fallback to the WHEP files, and a bad
// certificate, key or CA as a clear error at start.
#include <gtest/gtest.h>

#include "app/config.hpp"
#include "app/config_test_support.hpp"
#include "app/config_tls.hpp"
#include "tls/tls_test_support.hpp"

namespace app {
namespace {

using test::validate_error;

TEST(ConfigTls, OffByDefaultAndNoFileIsRead) {
  Config c;
  EXPECT_FALSE(c.webrtc_encryption);
  EXPECT_FALSE(c.api_encryption);
  EXPECT_EQ(c.rtmp_encryption, RtmpEncryption::No);
  EXPECT_EQ(c.rtmps_address, (ListenAddress{"", 1936}));
  EXPECT_EQ(c.webrtc_server_cert, "server.crt");
  EXPECT_EQ(c.rtmp_server_key, "server.key");
  EXPECT_EQ(validate_error(c), "");  // server.crt does not exist here, and is not needed
}

TEST(ConfigTls, ReadFromFileEnvironmentAndCommandLine) {
  tls::test::TestPki pki;
  const auto cert = pki.issue("server");
  auto c = parse_config(
      "webrtcEncryption: yes\nwebrtcServerKey: " + cert.key_file +
          "\nwebrtcServerCert: " + cert.cert_file +
          "\nrtmpEncryption: strict\nrtmpsAddress: :2936\nrtmpServerKey: " + cert.key_file +
          "\nrtmpServerCert: " + cert.cert_file +
          "\nairclass:\n  apiEncryption: yes\n  clusterCA: " + pki.ca_file() + "\n",
      "airclass.yml");
  EXPECT_TRUE(c.webrtc_encryption);
  EXPECT_EQ(c.rtmp_encryption, RtmpEncryption::Strict);
  EXPECT_EQ(c.rtmps_address.port, 2936);
  EXPECT_EQ(c.cluster_ca, pki.ca_file());
  EXPECT_EQ(validate_error(c), "");
  // The API falls back to the WHEP listener's files.
  EXPECT_EQ(api_cert_file(c), cert.cert_file);
  EXPECT_EQ(api_key_file(c), cert.key_file);

  Config e;
  apply_environment(e, {{"AIRCLASS_RTMP_ENCRYPTION", "optional"},
                        {"AIRCLASS_API_ENCRYPTION", "yes"},
                        {"AIRCLASS_API_SERVER_CERT", "/etc/airclass/api.crt"},
                        {"AIRCLASS_CLUSTER_CA", "/etc/airclass/ca.pem"}});
  EXPECT_TRUE(e.warnings.empty());
  EXPECT_EQ(e.rtmp_encryption, RtmpEncryption::Optional);
  EXPECT_TRUE(e.api_encryption);
  EXPECT_EQ(api_cert_file(e), "/etc/airclass/api.crt");
  EXPECT_EQ(e.cluster_ca, "/etc/airclass/ca.pem");

  Config s;
  apply_setting(s, "webrtcEncryption", "yes", "--set webrtcEncryption");
  EXPECT_TRUE(s.webrtc_encryption);
}

TEST(ConfigTls, RefusesBadValues) {
  for (const char* bad :
       {"rtmpEncryption: yes\n", "rtmpEncryption: maybe\n", "webrtcEncryption: strict\n",
        "rtmpsAddress: nowhere\n", "webrtcServerKey: \"\"\n", "airclass:\n  apiEncryption: 2\n"}) {
    EXPECT_THROW(parse_config(bad, "airclass.yml"), ConfigError) << bad;
  }
  try {
    parse_config("rtmpEncryption: yes\n", "airclass.yml");
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("one of no optional strict"), std::string::npos)
        << e.what();
  }
}

TEST(ConfigTls, AMissingOrMismatchedFileIsAClearStartError) {
  tls::test::TestPki pki;
  const auto a = pki.issue("a");
  const auto b = pki.issue("b");
  Config missing;
  missing.webrtc_encryption = true;
  missing.webrtc_server_cert = pki.path("absent.crt");
  missing.webrtc_server_key = a.key_file;
  auto error = validate_error(missing);
  EXPECT_NE(error.find("webrtcEncryption"), std::string::npos) << error;
  EXPECT_NE(error.find(pki.path("absent.crt")), std::string::npos) << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;

  Config mismatched;
  mismatched.rtmp_encryption = RtmpEncryption::Strict;
  mismatched.rtmp_server_cert = a.cert_file;
  mismatched.rtmp_server_key = b.key_file;
  error = validate_error(mismatched);
  EXPECT_NE(error.find("rtmpEncryption"), std::string::npos) << error;
  EXPECT_NE(error.find("does not belong"), std::string::npos) << error;

  Config garbage_api;
  garbage_api.api_encryption = true;
  garbage_api.api_server_cert = pki.write("garbage.crt", "not a certificate");
  garbage_api.api_server_key = a.key_file;
  error = validate_error(garbage_api);
  EXPECT_NE(error.find("apiEncryption"), std::string::npos) << error;
  EXPECT_NE(error.find("cannot load certificate"), std::string::npos) << error;

  Config bad_ca;
  bad_ca.cluster_ca = pki.write("ca.txt", "hello");
  EXPECT_NE(validate_error(bad_ca).find("airclass.clusterCA: cannot load CA file"),
            std::string::npos);

  // Encryption on a listener that is off reads nothing.
  Config rtmp_off;
  rtmp_off.rtmp = false;
  rtmp_off.rtmp_encryption = RtmpEncryption::Strict;
  EXPECT_EQ(validate_error(rtmp_off), "");
}

TEST(ConfigTls, OptionalNeedsTwoPortsAndMixedContentIsWarned) {
  tls::test::TestPki pki;
  const auto cert = pki.issue("server");
  Config c;
  c.rtmp_encryption = RtmpEncryption::Optional;
  c.rtmp_server_cert = cert.cert_file;
  c.rtmp_server_key = cert.key_file;
  c.rtmps_address = c.rtmp_address;
  EXPECT_NE(validate_error(c).find("another port"), std::string::npos);

  Config mixed;
  mixed.api_encryption = true;
  mixed.webrtc_server_cert = cert.cert_file;
  mixed.webrtc_server_key = cert.key_file;
  validate(mixed);
  ASSERT_EQ(mixed.warnings.size(), 1u);
  EXPECT_NE(mixed.warnings[0].find("mixed content"), std::string::npos);
}

}  // namespace
}  // namespace app
