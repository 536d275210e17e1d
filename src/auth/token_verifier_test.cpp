#include "auth/token_verifier.hpp"

#include <gtest/gtest.h>
#include <jwt.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "auth/base64url.hpp"
#include "auth/es256_key.hpp"
#include "auth/token_signer.hpp"
#include "base/crypto.hpp"

namespace auth {
namespace {

using Json = nlohmann::json;

constexpr int64_t Now = 1'700'000'000;
const std::string Secret = "0123456789abcdef0123456789abcdef";  // exactly 32 bytes

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(AIRCLASS_TEST_DATA) + "/auth/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TokenSigner signer(Algorithm alg, std::string key, std::string issuer = "airclass") {
  std::string error;
  auto s = TokenSigner::create({alg, std::move(key), std::move(issuer), 3600}, error);
  EXPECT_TRUE(s) << error;
  return std::move(*s);
}

TokenVerifier verifier(Algorithm alg, std::string key, int64_t leeway = 5,
                       std::string issuer = "airclass") {
  std::string error;
  auto v = TokenVerifier::create({alg, std::move(key), std::move(issuer), leeway}, error);
  EXPECT_TRUE(v) << error;
  return std::move(*v);
}

const Es256KeyPair& es_keys() {
  static const Es256KeyPair keys = *generate_es256_key_pair();
  return keys;
}

// HS256 computed with our own HMAC, not libjwt, so hand-built tokens exercise libjwt's check.
std::string hand_token(std::string_view header, std::string_view payload, std::string_view key) {
  const std::string input = base64url_encode(header) + "." + base64url_encode(payload);
  const auto mac =
      base::hmac_sha256({reinterpret_cast<const uint8_t*>(key.data()), key.size()},
                        {reinterpret_cast<const uint8_t*>(input.data()), input.size()});
  return input + "." + base64url_encode(mac);
}

Json valid_payload() {
  return {{"iss", "airclass"}, {"sub", "alice"}, {"user_type", "student"}, {"path", "live/stream"},
          {"action", "read"},  {"iat", Now},     {"exp", Now + 3600}};
}

std::string hs_token(const Json& payload) {
  return hand_token(R"({"alg":"HS256","typ":"JWT"})", payload.dump(), Secret);
}

// The JSON payload of a compact JWT, unverified.
Json payload_of(const std::string& token) {
  const auto first = token.find('.');
  const auto second = token.rfind('.');
  const auto text =
      base64url_decode_text(token.substr(first + 1, second - first - 1), MaxTokenSize);
  return text ? Json::parse(*text, nullptr, false) : Json();
}

TokenError verify_hs(const std::string& token, int64_t now = Now, int64_t leeway = 5) {
  return verifier(Algorithm::Hs256, Secret, leeway).verify(token, now).error;
}

TEST(TokenVerifier, Hs256RoundTrip) {
  const auto issued = signer(Algorithm::Hs256, Secret)
                          .issue(Grant::make(UserType::Student, "alice", "/live/stream/"), Now);
  ASSERT_TRUE(issued.ok()) << issued.error;
  EXPECT_LT(issued.token.size(), 1024u);
  EXPECT_EQ(issued.claims.path, "live/stream");
  EXPECT_EQ(issued.claims.exp, Now + 3600);
  const auto v = verifier(Algorithm::Hs256, Secret).verify(issued.token, Now + 10);
  ASSERT_TRUE(v.ok()) << to_string(v.error);
  EXPECT_EQ(v.claims, issued.claims);
  EXPECT_EQ(v.claims.sub, "alice");
  EXPECT_EQ(v.claims.iss, "airclass");
  // Sanity check of the hand-built path against libjwt's own output.
  EXPECT_EQ(verify_hs(hs_token(valid_payload())), TokenError::None);
}

TEST(TokenSigner, OwnLifetimeWithinBounds) {
  const auto s = signer(Algorithm::Hs256, Secret);
  const auto grant = Grant::make(UserType::Publisher, "phone", "live/stream");
  const auto day = s.issue(grant, Now, 12 * 3600);
  ASSERT_TRUE(day.ok()) << day.error;
  EXPECT_EQ(day.claims.exp, Now + 12 * 3600);
  EXPECT_TRUE(verifier(Algorithm::Hs256, Secret).verify(day.token, Now + 11 * 3600).ok());
  EXPECT_FALSE(s.issue(grant, Now, 0).ok());
  EXPECT_FALSE(s.issue(grant, Now, MaxTokenLifetime + 1).ok());
}

TEST(TokenVerifier, Es256RoundTripWithRawSignature) {
  const auto issued = signer(Algorithm::Es256, es_keys().private_pem)
                          .issue(Grant::make(UserType::Node, "sub-1", "*", "sub-1"), Now);
  ASSERT_TRUE(issued.ok()) << issued.error;
  const auto v = verifier(Algorithm::Es256, es_keys().public_pem).verify(issued.token, Now);
  ASSERT_TRUE(v.ok()) << to_string(v.error);
  EXPECT_EQ(v.claims, issued.claims);
  EXPECT_EQ(v.claims.node, "sub-1");
  // RFC 7518 3.4: R || S, 64 bytes (not DER), so other JWT stacks can verify our tokens.
  const auto sig = issued.token.substr(issued.token.rfind('.') + 1);
  EXPECT_EQ(base64url_decode(sig)->size(), 64u);

  const auto other = generate_es256_key_pair();
  ASSERT_TRUE(other);
  EXPECT_EQ(verifier(Algorithm::Es256, other->public_pem).verify(issued.token, Now).error,
            TokenError::BadSignature);
}

TEST(TokenVerifier, AcceptsTokensFromAnIndependentEncoder) {
  const auto hs = read_fixture("independent_hs256_student.jwt");
  const auto v = verifier(Algorithm::Hs256, "airclass-fixture-secret-0123456789abcdef")
                     .verify(hs, 1'700'000'100);
  ASSERT_TRUE(v.ok()) << to_string(v.error);
  EXPECT_EQ(v.claims, (TokenClaims{"alice", UserType::Student, "live/stream", Action::Read,
                                   1'700'000'000, 1'700'003'600, "airclass", ""}));

  const auto es = read_fixture("independent_es256_teacher.jwt");
  const auto pem = read_fixture("rfc7515_a3_es256_public.pem");
  const auto w = verifier(Algorithm::Es256, pem).verify(es, 1'700'000'100);
  ASSERT_TRUE(w.ok()) << to_string(w.error);
  EXPECT_EQ(w.claims.user_type, UserType::Teacher);
  EXPECT_EQ(w.claims.node, "sub-1");
  EXPECT_EQ(verifier(Algorithm::Es256, pem).verify(es, 1'700'003'605).error, TokenError::Expired);
}

// RFC 7515 A.1 (HS256) and A.3 (ES256): the signatures verify, then the RFC's claims (iss "joe",
// no sub) are refused by our claim checks, not by the signature check.
TEST(TokenVerifier, Rfc7515Vectors) {
  const auto key = base64url_decode_text(
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
  ASSERT_TRUE(key);
  const std::string a1 =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
      "fQ."
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const auto hs = verifier(Algorithm::Hs256, *key, 0, "joe");
  EXPECT_EQ(hs.verify(a1, 1'300'819'000).error, TokenError::MissingClaim);
  std::string bad = a1;
  bad[bad.size() - 5] = bad[bad.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(hs.verify(bad, 1'300'819'000).error, TokenError::BadSignature);

  const auto a3 = read_fixture("rfc7515_a3_es256.jwt");
  const auto es = verifier(Algorithm::Es256, read_fixture("rfc7515_a3_es256_public.pem"), 0, "joe");
  EXPECT_EQ(es.verify(a3, 1'300'819'000).error, TokenError::MissingClaim);
  bad = a3;
  bad[bad.size() - 10] = bad[bad.size() - 10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(es.verify(bad, 1'300'819'000).error, TokenError::BadSignature);
}

TEST(TokenVerifier, RefusesAlgNone) {
  const std::string payload = base64url_encode(valid_payload().dump());
  for (std::string_view header :
       {R"({"alg":"none"})", R"({"alg":"none","typ":"JWT"})", R"({"alg":"None"})",
        R"({"alg":"NONE"})", R"({"typ":"JWT"})", R"({"alg":null})", R"({"alg":256})",
        R"({"alg":["HS256"]})", R"({"alg":"HS256 "})", R"({"alg":"hs256"})"}) {
    const std::string unsigned_token = base64url_encode(header) + "." + payload + ".";
    EXPECT_EQ(verify_hs(unsigned_token), TokenError::BadAlgorithm) << header;
    // Also with a valid-looking MAC attached.
    const auto with_mac = hand_token(header, valid_payload().dump(), Secret);
    EXPECT_EQ(verify_hs(with_mac), TokenError::BadAlgorithm) << header;
    EXPECT_EQ(verifier(Algorithm::Es256, es_keys().public_pem).verify(unsigned_token, Now).error,
              TokenError::BadAlgorithm);
  }
}

// What libjwt 1.10 does on its own, which is why the checks above exist. With a key, it refuses
// alg none (some older versions did not)...
TEST(LibjwtBehaviour, RefusesAlgNoneWhenGivenAKey) {
  const std::string token = base64url_encode(std::string_view(R"({"alg":"none"})")) + "." +
                            base64url_encode(valid_payload().dump()) + ".";
  jwt_t* jwt = nullptr;
  const int rc =
      jwt_decode(&jwt, token.c_str(), reinterpret_cast<const unsigned char*>(Secret.data()),
                 static_cast<int>(Secret.size()));
  jwt_free(jwt);
  EXPECT_NE(rc, 0);
}

// ...but it takes the algorithm from the token's header, so an HS256 token MACed with the ES256
// public key's PEM text passes jwt_decode against that PEM. If this starts failing, libjwt has
// become stricter; TokenVerifier does not rely on either behaviour.
TEST(LibjwtBehaviour, AloneFallsForKeyConfusion) {
  const auto& pem = es_keys().public_pem;
  const auto forged = hand_token(R"({"alg":"HS256"})", valid_payload().dump(), pem);
  jwt_t* jwt = nullptr;
  const int rc =
      jwt_decode(&jwt, forged.c_str(), reinterpret_cast<const unsigned char*>(pem.data()),
                 static_cast<int>(pem.size()));
  const jwt_alg_t alg = jwt != nullptr ? jwt_get_alg(jwt) : JWT_ALG_INVAL;
  jwt_free(jwt);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(alg, JWT_ALG_HS256);
}

TEST(TokenVerifier, RefusesKeyConfusion) {
  const auto& pem = es_keys().public_pem;
  const auto forged = hand_token(R"({"alg":"HS256","typ":"JWT"})", valid_payload().dump(), pem);
  EXPECT_EQ(verifier(Algorithm::Es256, pem).verify(forged, Now).error, TokenError::BadAlgorithm);

  // The other way round: an ES256 token at an HS256 verifier.
  const auto es_token = signer(Algorithm::Es256, es_keys().private_pem)
                            .issue(Grant::make(UserType::Student, "alice", "live/stream"), Now);
  ASSERT_TRUE(es_token.ok());
  EXPECT_EQ(verify_hs(es_token.token), TokenError::BadAlgorithm);

  // Algorithms we never configure.
  for (std::string_view header : {R"({"alg":"HS384"})", R"({"alg":"HS512"})", R"({"alg":"RS256"})",
                                  R"({"alg":"ES384"})", R"({"alg":"PS256"})"})
    EXPECT_EQ(verify_hs(hand_token(header, valid_payload().dump(), Secret)),
              TokenError::BadAlgorithm)
        << header;
}

TEST(TokenVerifier, RefusesTampering) {
  const auto token = hs_token(valid_payload());
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.rfind('.');

  Json teacher = valid_payload();
  teacher["user_type"] = "monitor";
  const std::string swapped_payload =
      token.substr(0, dot1 + 1) + base64url_encode(teacher.dump()) + token.substr(dot2);
  EXPECT_EQ(verify_hs(swapped_payload), TokenError::BadSignature);

  std::string flipped = token;
  flipped[dot2 + 1] = flipped[dot2 + 1] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verify_hs(flipped), TokenError::BadSignature);

  EXPECT_EQ(verify_hs(token.substr(0, token.size() - 1)), TokenError::BadSignature);  // 31 bytes
  EXPECT_EQ(verify_hs(token.substr(0, dot2 + 1)), TokenError::BadSignature);          // empty
  EXPECT_EQ(verify_hs(token + "AAAA"), TokenError::BadSignature);                     // 35 bytes
  EXPECT_EQ(verify_hs(hand_token(R"({"alg":"HS256"})", valid_payload().dump(),
                                 "another-secret-another-secret-xx")),
            TokenError::BadSignature);
}

TEST(TokenVerifier, ExpiryEdges) {
  const auto token = hs_token(valid_payload());  // exp = Now + 3600
  const int64_t exp = Now + 3600;
  EXPECT_EQ(verify_hs(token, exp - 1, 0), TokenError::None);
  EXPECT_EQ(verify_hs(token, exp, 0), TokenError::Expired);  // exp is exclusive (RFC 7519 4.1.4)
  EXPECT_EQ(verify_hs(token, exp + 4, 5), TokenError::None);
  EXPECT_EQ(verify_hs(token, exp + 5, 5), TokenError::Expired);
  EXPECT_EQ(verify_hs(token, exp + 100000, 5), TokenError::Expired);
}

TEST(TokenVerifier, NotYetValidEdges) {
  Json future = valid_payload();
  future["iat"] = Now + 10;
  future["exp"] = Now + 3610;
  const auto token = hs_token(future);
  EXPECT_EQ(verify_hs(token, Now, 5), TokenError::NotYetValid);
  EXPECT_EQ(verify_hs(token, Now + 4, 5), TokenError::NotYetValid);
  EXPECT_EQ(verify_hs(token, Now + 5, 5), TokenError::None);
  EXPECT_EQ(verify_hs(token, Now + 9, 0), TokenError::NotYetValid);
  EXPECT_EQ(verify_hs(token, Now + 10, 0), TokenError::None);
}

TEST(TokenVerifier, RefusesWrongIssuer) {
  const auto issued = signer(Algorithm::Hs256, Secret, "other-school")
                          .issue(Grant::make(UserType::Teacher, "t", "live/stream"), Now);
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(verify_hs(issued.token), TokenError::WrongIssuer);
}

TEST(TokenVerifier, RefusesMissingClaims) {
  for (const char* name : {"iss", "sub", "user_type", "path", "action", "iat", "exp"}) {
    Json p = valid_payload();
    p.erase(name);
    EXPECT_EQ(verify_hs(hs_token(p)), TokenError::MissingClaim) << name;
  }
}

TEST(TokenVerifier, RefusesWrongTypesAndValues) {
  const std::vector<std::pair<const char*, Json>> cases = {{"sub", 42},
                                                           {"sub", Json::array()},
                                                           {"sub", ""},
                                                           {"sub", "a\nb"},
                                                           {"iss", 1},
                                                           {"user_type", "admin"},
                                                           {"user_type", 1},
                                                           {"action", "write"},
                                                           {"action", true},
                                                           {"path", "../etc"},
                                                           {"path", "/live/"},
                                                           {"path", Json::object()},
                                                           {"path", "*"},
                                                           {"iat", "1700000000"},
                                                           {"iat", 1.7e9},
                                                           {"exp", Now + 0.5},
                                                           {"exp", true},
                                                           {"exp", Json()},
                                                           {"exp", Now},
                                                           {"exp", Now - 1},
                                                           {"exp", Now + 24 * 3600 + 1},
                                                           {"iat", -5},
                                                           {"node", 7},
                                                           {"node", std::string(65, 'n')},
                                                           {"exp", int64_t{1} << 41}};
  for (const auto& [name, value] : cases) {
    Json p = valid_payload();
    p[name] = value;
    EXPECT_EQ(verify_hs(hs_token(p)), TokenError::BadClaim) << name << "=" << value.dump();
  }
  Json publishing_student = valid_payload();
  publishing_student["action"] = "publish";
  EXPECT_EQ(verify_hs(hs_token(publishing_student)), TokenError::BadClaim);
}

TEST(TokenVerifier, MaxQualityRoundTripsAndIsOptional) {
  const auto s = signer(Algorithm::Hs256, Secret);
  Grant capped = Grant::make(UserType::Student, "ana", "live/stream");
  capped.max_quality = "720p";
  const auto issued = s.issue(capped, Now);
  ASSERT_TRUE(issued.ok()) << issued.error;
  EXPECT_EQ(issued.claims.max_quality, "720p");
  EXPECT_EQ(payload_of(issued.token).at("max_quality"), "720p");
  const auto v = verifier(Algorithm::Hs256, Secret).verify(issued.token, Now);
  ASSERT_TRUE(v.ok()) << to_string(v.error);
  EXPECT_EQ(v.claims, issued.claims);

  // Absent: no claim in the token, an empty cap after verification.
  const auto plain = s.issue(Grant::make(UserType::Student, "ana", "live/stream"), Now);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(payload_of(plain.token).contains("max_quality"));
  const auto p = verifier(Algorithm::Hs256, Secret).verify(plain.token, Now);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.claims.max_quality, "");
  Json hand = valid_payload();
  hand["max_quality"] = "source";
  const auto h = verifier(Algorithm::Hs256, Secret).verify(hs_token(hand), Now);
  ASSERT_TRUE(h.ok()) << to_string(h.error);
  EXPECT_EQ(h.claims.max_quality, "source");
}

TEST(TokenVerifier, RefusesMalformedMaxQuality) {
  for (const Json& value : std::vector<Json>{
           Json(720), Json(true), Json(), Json::array({"720p"}), Json::object(), Json(""),
           Json("720P"), Json("a b"), Json("720p\n"), Json("x-y"), Json(std::string(17, 'q'))}) {
    Json p = valid_payload();
    p["max_quality"] = value;
    const auto v = verifier(Algorithm::Hs256, Secret).verify(hs_token(p), Now);
    EXPECT_EQ(v.error, TokenError::BadMaxQuality) << value.dump();
    EXPECT_EQ(v.claims.max_quality, "");
  }
  EXPECT_EQ(to_string(TokenError::BadMaxQuality), "token has an invalid max_quality claim");
  Json longest = valid_payload();
  longest["max_quality"] = std::string(16, 'q');
  EXPECT_EQ(verify_hs(hs_token(longest)), TokenError::None);
  // The signer refuses to write what the verifier would refuse to read.
  Grant bad = Grant::make(UserType::Student, "ana", "live/stream");
  bad.max_quality = "Full HD";
  const auto issued = signer(Algorithm::Hs256, Secret).issue(bad, Now);
  EXPECT_FALSE(issued.ok());
  EXPECT_EQ(issued.error, "max_quality must be 1..16 of a-z and 0-9");
}

TEST(TokenVerifier, RefusesBadStructure) {
  const auto good = hs_token(valid_payload());
  EXPECT_EQ(verify_hs(""), TokenError::Missing);
  EXPECT_EQ(verify_hs(std::string(5 * 1024, 'A')), TokenError::TooLong);
  EXPECT_EQ(verify_hs(std::string(MaxTokenSize, 'A')), TokenError::Malformed);
  // A genuinely signed 5 KiB token is refused unread.
  Json big = valid_payload();
  big["pad"] = std::string(5 * 1024, 'x');
  EXPECT_EQ(verify_hs(hs_token(big)), TokenError::TooLong);

  EXPECT_EQ(verify_hs("abc"), TokenError::Malformed);
  EXPECT_EQ(verify_hs("a.b"), TokenError::Malformed);
  EXPECT_EQ(verify_hs(good + ".x"), TokenError::Malformed);
  EXPECT_EQ(verify_hs(".." + good), TokenError::Malformed);
  EXPECT_EQ(verify_hs(" " + good), TokenError::Malformed);
  std::string with_nul = good;
  with_nul[5] = '\0';
  EXPECT_EQ(verify_hs(with_nul), TokenError::Malformed);
  with_nul = good;
  with_nul[good.size() - 3] = '\0';  // in the signature, before libjwt could see a C string
  EXPECT_EQ(verify_hs(with_nul), TokenError::BadSignature);

  EXPECT_EQ(verify_hs(hand_token("not json", valid_payload().dump(), Secret)),
            TokenError::Malformed);
  EXPECT_EQ(verify_hs(hand_token(R"(["HS256"])", valid_payload().dump(), Secret)),
            TokenError::Malformed);
  EXPECT_EQ(
      verify_hs(hand_token(R"({"alg":"HS256","crit":["exp"]})", valid_payload().dump(), Secret)),
      TokenError::Malformed);
  EXPECT_EQ(verify_hs(hand_token(R"({"alg":"HS256"})", "[1,2]", Secret)), TokenError::Malformed);
  // Deep nesting inside the 4 KiB bound parses and is ignored (no recursion limit to hit). The
  // text is built by hand: Json::dump recurses per level, past the stack of a clang ASan build.
  std::string deep = valid_payload().dump();
  deep.pop_back();  // the closing brace
  deep += R"(,"x":)" + std::string(1300, '[') + std::string(1300, ']') + "}";
  const auto deep_token = hand_token(R"({"alg":"HS256","typ":"JWT"})", deep, Secret);
  ASSERT_LE(deep_token.size(), MaxTokenSize);
  EXPECT_EQ(verify_hs(deep_token), TokenError::None);
  EXPECT_EQ(verify_hs(hand_token(R"({"alg":"HS256"})", "{", Secret)), TokenError::Malformed);
}

TEST(TokenVerifier, GarbageNeverVerifies) {
  const auto hs = verifier(Algorithm::Hs256, Secret);
  const auto es = verifier(Algorithm::Es256, es_keys().public_pem);
  const std::string good = hs_token(valid_payload());
  // The first 66 characters are the base64url alphabet and two dots.
  const std::string charset = std::string(
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_...=+/ \0\xff", 73);
  std::mt19937 rng(20240601);
  for (int i = 0; i < 3000; ++i) {
    std::string garbage(rng() % 700, '\0');
    for (auto& c : garbage)
      c = (i % 3 == 0) ? static_cast<char>(rng()) : charset[rng() % charset.size()];
    EXPECT_FALSE(hs.verify(garbage, Now).ok());
    EXPECT_FALSE(es.verify(garbage, Now).ok());

    // Mutations of a valid token: any real change must break it.
    std::string mutated = good;
    const size_t n = 1 + rng() % 3;
    for (size_t k = 0; k < n; ++k)
      mutated[rng() % mutated.size()] = charset[rng() % 66];
    if (mutated != good) {
      EXPECT_FALSE(hs.verify(mutated, Now).ok()) << mutated;
    }
  }
}

TEST(TokenSigner, RefusesBadConfigWithoutEchoingKeys) {
  std::string error;
  const std::string short_secret = "SECRETSECRETSECRETSECRETSECRET1";  // 31 bytes
  EXPECT_FALSE(TokenSigner::create({Algorithm::Hs256, short_secret}, error));
  EXPECT_NE(error, "");
  EXPECT_EQ(error.find("SECRET"), std::string::npos);
  EXPECT_FALSE(TokenSigner::create({Algorithm::Es256, es_keys().public_pem}, error));
  EXPECT_EQ(error.find("BEGIN"), std::string::npos);
  EXPECT_FALSE(TokenSigner::create({Algorithm::Es256, Secret}, error));
  EXPECT_FALSE(TokenSigner::create({Algorithm::Hs256, Secret, ""}, error));
  EXPECT_FALSE(TokenSigner::create({Algorithm::Hs256, Secret, "airclass", 0}, error));
  EXPECT_FALSE(TokenSigner::create({Algorithm::Hs256, Secret, "airclass", 86401}, error));
  EXPECT_TRUE(TokenSigner::create({Algorithm::Hs256, Secret, "airclass", 86400}, error));
  EXPECT_EQ(error, "");

  EXPECT_FALSE(TokenVerifier::create({Algorithm::Hs256, short_secret}, error));
  EXPECT_EQ(error.find("SECRET"), std::string::npos);
  EXPECT_FALSE(TokenVerifier::create({Algorithm::Es256, es_keys().private_pem}, error));
  EXPECT_EQ(error.find("BEGIN"), std::string::npos);
  EXPECT_FALSE(TokenVerifier::create({Algorithm::Hs256, Secret, "airclass", -1}, error));
  EXPECT_FALSE(TokenVerifier::create({Algorithm::Hs256, Secret, "airclass", 301}, error));
}

TEST(TokenSigner, RefusesBadGrants) {
  const auto s = signer(Algorithm::Hs256, Secret);
  EXPECT_FALSE(s.issue(Grant::make(UserType::Student, "alice", "../x"), Now).ok());
  EXPECT_FALSE(s.issue(Grant::make(UserType::Student, "", "live"), Now).ok());
  EXPECT_FALSE(s.issue(Grant::make(UserType::Student, "alice", "*"), Now).ok());
  EXPECT_FALSE(s.issue(Grant::make(UserType::Student, "alice", "live"), -1).ok());
  EXPECT_FALSE(s.issue(Grant::make(UserType::Student, "\xff\xfe", "live"), Now).ok());  // not UTF-8
  Grant g = Grant::make(UserType::Teacher, "t", "live");
  g.action = Action::Publish;
  const auto r = s.issue(g, Now);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.token, "");
  const auto pub = s.issue(Grant::make(UserType::Publisher, "obs", "live/room-1"), Now);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(verifier(Algorithm::Hs256, Secret).verify(pub.token, Now).claims.action,
            Action::Publish);
}

}  // namespace
}  // namespace auth
