#pragma once
// AMF0 command messages (RTMP spec 1.0, section 7.2): name, transaction id, command object and
// arguments; parsed from type 20 (and type 17 with its AMF3 format byte) and encoded for replies.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rtmp/amf0.hpp"

namespace rtmp {

struct Command {
  std::string name;
  double transaction_id = 0;
  amf0::Value object;             // command object, or null
  std::vector<amf0::Value> args;  // optional arguments after the object

  // Nullopt with `error` set when the payload is not name + number (+ values).
  static std::optional<Command> parse(std::span<const uint8_t> payload,
                                      const amf0::DecodeLimits& limits, std::string& error);
  std::vector<uint8_t> encode() const;

  const amf0::Value* arg(size_t i) const noexcept { return i < args.size() ? &args[i] : nullptr; }
  // Argument i when it is a string.
  std::optional<std::string_view> string_arg(size_t i) const noexcept;

  // Builders for the replies a server sends.
  static Command result(double transaction_id, amf0::Value object, amf0::Value info);
  static Command error(double transaction_id, amf0::Value info);
  // onStatus(0, null, {level, code, description[, details]}).
  static Command on_status(std::string_view level, std::string_view code,
                           std::string_view description, std::string_view details = {});
};

// The info object of onStatus / _result / _error.
amf0::Value status_info(std::string_view level, std::string_view code,
                        std::string_view description);

}  // namespace rtmp
