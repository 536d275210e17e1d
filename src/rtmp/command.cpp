#include "rtmp/command.hpp"

namespace rtmp {

std::optional<Command> Command::parse(std::span<const uint8_t> payload,
                                      const amf0::DecodeLimits& limits, std::string& error) {
  amf0::Decoder d(payload, limits);
  auto name = d.next();
  if (!name || !name->is_string()) {
    error = name ? "command name is not a string" : d.error();
    return std::nullopt;
  }
  Command c;
  c.name = std::move(name->string);
  if (d.empty()) return c;  // some clients send bare notifications
  auto txn = d.next();
  if (!txn || txn->type != amf0::Marker::Number) {
    error = txn ? "command transaction id is not a number" : d.error();
    return std::nullopt;
  }
  c.transaction_id = txn->number;
  if (d.empty()) return c;
  auto object = d.next();
  if (!object) {
    error = d.error();
    return std::nullopt;
  }
  c.object = std::move(*object);
  auto rest = d.all();
  if (!rest) {
    error = d.error();
    return std::nullopt;
  }
  c.args = std::move(*rest);
  return c;
}

std::vector<uint8_t> Command::encode() const {
  std::vector<uint8_t> out;
  amf0::encode_string(name, out);
  amf0::encode_number(transaction_id, out);
  amf0::encode(object, out);
  for (const auto& a : args)
    amf0::encode(a, out);
  return out;
}

std::optional<std::string_view> Command::string_arg(size_t i) const noexcept {
  const amf0::Value* v = arg(i);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->string);
}

Command Command::result(double transaction_id, amf0::Value object, amf0::Value info) {
  Command c;
  c.name = "_result";
  c.transaction_id = transaction_id;
  c.object = std::move(object);
  c.args.push_back(std::move(info));
  return c;
}

Command Command::error(double transaction_id, amf0::Value info) {
  Command c;
  c.name = "_error";
  c.transaction_id = transaction_id;
  c.args.push_back(std::move(info));
  return c;
}

Command Command::on_status(std::string_view level, std::string_view code,
                           std::string_view description, std::string_view details) {
  Command c;
  c.name = "onStatus";
  amf0::Value info = status_info(level, code, description);
  if (!details.empty()) {
    info.properties.push_back({"details", amf0::Value::make_string(details)});
  }
  c.args.push_back(std::move(info));
  return c;
}

amf0::Value status_info(std::string_view level, std::string_view code,
                        std::string_view description) {
  return amf0::Value::make_object({
      {"level", amf0::Value::make_string(level)},
      {"code", amf0::Value::make_string(code)},
      {"description", amf0::Value::make_string(description)},
  });
}

}  // namespace rtmp
