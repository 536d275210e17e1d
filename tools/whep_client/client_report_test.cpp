#include "whep_client/client_report.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace tools::whep_client {
namespace {

TEST(ClientReport, JsonHasTheContractFields) {
  ClientReport r;
  r.connected_ms = 120;
  r.first_keyframe_ms = 180;
  r.video.packets = 10;
  r.video.bytes = 9000;
  r.video.frames = 3;
  r.video.keyframes = 1;
  r.video.width = 1280;
  r.video.height = 720;
  r.audio.packets = 4;
  r.audio.bytes = 320;
  r.nacks_sent = 2;
  r.delete_status = 200;
  r.post_status = 201;
  r.duration_s = 1.5;
  EXPECT_EQ(to_json(r),
            "{\"connected_ms\":120,\"first_keyframe_ms\":180,\"video\":{\"packets\":10,"
            "\"bytes\":9000,\"frames\":3,\"incomplete_frames\":0,\"keyframes\":1,\"lost\":0,"
            "\"rtx_packets\":0,\"width\":1280,\"height\":720},\"audio\":{\"packets\":4,"
            "\"bytes\":320,\"lost\":0,\"decoded_ms\":0,\"decode_errors\":0,\"tone_hz\":null,"
            "\"level_dbfs\":null},\"srtp_auth_failures\":0,\"srtp_replays\":0,"
            "\"nacks_sent\":2,\"nack_recovered\":0,\"reports_sent\":0,\"post_status\":201,"
            "\"delete_status\":200,\"duration_s\":1.500,\"error\":null}");
  EXPECT_EQ(r.exit_code(), 0);
}

TEST(ClientReport, MissingValuesAreNullAndSizeIsOmitted) {
  ClientReport r;
  r.error = "POST returned 403: \"no\"\n";
  const std::string j = to_json(r);
  EXPECT_NE(j.find("\"connected_ms\":null"), std::string::npos);
  EXPECT_NE(j.find("\"delete_status\":null"), std::string::npos);
  EXPECT_EQ(j.find("width"), std::string::npos);
  EXPECT_NE(j.find("\"error\":\"POST returned 403: \\\"no\\\"\\u000a\""), std::string::npos);
  EXPECT_EQ(r.exit_code(), 1);
  r.connected_ms = 5;
  EXPECT_EQ(r.exit_code(), 1);  // connected but no whole frame
}

TEST(ClientReport, JsonQuoteEscapesControlAndQuotes) {
  EXPECT_EQ(json_quote("a\"b\\c\x01"), "\"a\\\"b\\\\c\\u0001\"");
  EXPECT_EQ(json_quote("é"), "\"é\"");  // UTF-8 passes through
}

TEST(ClientReport, DecodedAudioToneAndLevel) {
  ClientReport r;
  r.audio.packets = 100;
  r.audio.decoded_ms = 2000;
  r.audio.tone_hz = 999.96;
  r.audio.level_dbfs = -24.08;
  const std::string j = to_json(r);
  EXPECT_NE(j.find("\"decoded_ms\":2000,\"decode_errors\":0,\"tone_hz\":1000.0,"
                   "\"level_dbfs\":-24.1}"),
            std::string::npos)
      << j;
  EXPECT_NE(to_text(r).find("2000 ms decoded, tone 1000.0 Hz, level -24.1 dBFS"),
            std::string::npos);
  r.audio.level_dbfs = -std::numeric_limits<double>::infinity();  // never valid JSON
  EXPECT_NE(to_json(r).find("\"level_dbfs\":null"), std::string::npos);
}

}  // namespace
}  // namespace tools::whep_client
