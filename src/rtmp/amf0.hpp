#pragma once
// AMF0 value model, bounded decoder and encoder (AMF0 specification, Adobe 2007, section 2).
// Commands and metadata are small, so values are owned (strings copied); the decoder bounds
// nesting depth, total value count and string lengths so hostile input cannot explode memory.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtmp::amf0 {

// Type markers, AMF0 section 2.1.
enum class Marker : uint8_t {
  Number = 0x00,
  Boolean = 0x01,
  String = 0x02,
  Object = 0x03,
  Null = 0x05,
  Undefined = 0x06,
  EcmaArray = 0x08,
  ObjectEnd = 0x09,
  StrictArray = 0x0a,
  Date = 0x0b,
  LongString = 0x0c,
};

struct Property;

struct Value {
  Marker type = Marker::Null;
  double number = 0;                 // Number, Date (ms since epoch)
  bool boolean = false;              // Boolean
  int16_t time_zone = 0;             // Date (reserved, written as 0 by Flash)
  std::string string;                // String, LongString
  std::vector<Property> properties;  // Object, EcmaArray (in wire order)
  std::vector<Value> elements;       // StrictArray

  static Value make_number(double v);
  static Value make_boolean(bool v);
  static Value make_string(std::string_view v);  // LongString when longer than 65535
  static Value make_null();
  static Value make_undefined();
  static Value make_object(std::vector<Property> props);
  static Value make_ecma_array(std::vector<Property> props);
  static Value make_strict_array(std::vector<Value> elements);
  static Value make_date(double ms, int16_t time_zone = 0);

  bool is_string() const noexcept { return type == Marker::String || type == Marker::LongString; }
  bool is_object() const noexcept { return type == Marker::Object || type == Marker::EcmaArray; }
  // First property with this key (Object/EcmaArray), or nullptr.
  const Value* find(std::string_view key) const noexcept;
  // Convenience lookups: nullopt when absent or of another type.
  std::optional<std::string_view> find_string(std::string_view key) const noexcept;
  std::optional<double> find_number(std::string_view key) const noexcept;

  bool operator==(const Value& other) const;
};

struct Property {
  std::string key;
  Value value;
  bool operator==(const Property& other) const = default;
};

struct DecodeLimits {
  uint32_t max_depth = 16;         // nested Object/EcmaArray/StrictArray levels
  uint32_t max_values = 4096;      // total values in one decode call
  uint32_t max_string = 1u << 20;  // bytes in one string (LongString included)
};

class Decoder {
 public:
  Decoder(std::span<const uint8_t> in, DecodeLimits limits = {}) noexcept
      : in_(in), limits_(limits) {}

  // Decodes the next value; nullopt on malformed/oversized input (see error()).
  std::optional<Value> next() noexcept;
  // Decodes values until the input ends.
  std::optional<std::vector<Value>> all() noexcept;

  bool empty() const noexcept { return pos_ >= in_.size(); }
  size_t position() const noexcept { return pos_; }
  const std::string& error() const noexcept { return error_; }

 private:
  bool value(Value& out, uint32_t depth) noexcept;
  bool properties(std::vector<Property>& out, uint32_t depth) noexcept;
  bool short_string(std::string& out) noexcept;
  bool take(size_t n, std::span<const uint8_t>& out) noexcept;
  bool fail(std::string message) noexcept;

  std::span<const uint8_t> in_;
  DecodeLimits limits_;
  size_t pos_ = 0;
  uint32_t values_ = 0;
  std::string error_;
};

// Appends the encoding of v. Object keys longer than 65535 bytes are truncated.
void encode(const Value& v, std::vector<uint8_t>& out);
void encode_number(double v, std::vector<uint8_t>& out);
void encode_string(std::string_view v, std::vector<uint8_t>& out);
void encode_null(std::vector<uint8_t>& out);

}  // namespace rtmp::amf0
