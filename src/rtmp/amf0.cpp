#include "rtmp/amf0.hpp"

#include <bit>
#include <cstring>

#include "base/byte_writer.hpp"

namespace rtmp::amf0 {

Value Value::make_number(double v) {
  Value out;
  out.type = Marker::Number;
  out.number = v;
  return out;
}

Value Value::make_boolean(bool v) {
  Value out;
  out.type = Marker::Boolean;
  out.boolean = v;
  return out;
}

Value Value::make_string(std::string_view v) {
  Value out;
  out.type = v.size() > 0xffff ? Marker::LongString : Marker::String;
  out.string = std::string(v);
  return out;
}

Value Value::make_null() {
  return Value{};
}

Value Value::make_undefined() {
  Value out;
  out.type = Marker::Undefined;
  return out;
}

Value Value::make_object(std::vector<Property> props) {
  Value out;
  out.type = Marker::Object;
  out.properties = std::move(props);
  return out;
}

Value Value::make_ecma_array(std::vector<Property> props) {
  Value out;
  out.type = Marker::EcmaArray;
  out.properties = std::move(props);
  return out;
}

Value Value::make_strict_array(std::vector<Value> elements) {
  Value out;
  out.type = Marker::StrictArray;
  out.elements = std::move(elements);
  return out;
}

Value Value::make_date(double ms, int16_t time_zone) {
  Value out;
  out.type = Marker::Date;
  out.number = ms;
  out.time_zone = time_zone;
  return out;
}

const Value* Value::find(std::string_view key) const noexcept {
  for (const auto& p : properties) {
    if (p.key == key) return &p.value;
  }
  return nullptr;
}

std::optional<std::string_view> Value::find_string(std::string_view key) const noexcept {
  const Value* v = find(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->string);
}

std::optional<double> Value::find_number(std::string_view key) const noexcept {
  const Value* v = find(key);
  if (v == nullptr || v->type != Marker::Number) return std::nullopt;
  return v->number;
}

bool Value::operator==(const Value& o) const {
  if (type != o.type) return false;
  switch (type) {
    case Marker::Number:
      return std::bit_cast<uint64_t>(number) == std::bit_cast<uint64_t>(o.number);
    case Marker::Boolean:
      return boolean == o.boolean;
    case Marker::String:
    case Marker::LongString:
      return string == o.string;
    case Marker::Object:
    case Marker::EcmaArray:
      return properties == o.properties;
    case Marker::StrictArray:
      return elements == o.elements;
    case Marker::Date:
      return std::bit_cast<uint64_t>(number) == std::bit_cast<uint64_t>(o.number) &&
             time_zone == o.time_zone;
    default:
      return true;
  }
}

// --- Decoder -------------------------------------------------------------------------------

bool Decoder::fail(std::string message) noexcept {
  if (error_.empty()) error_ = std::move(message);
  return false;
}

bool Decoder::take(size_t n, std::span<const uint8_t>& out) noexcept {
  if (n > in_.size() - pos_) return fail("AMF0 value truncated");
  out = in_.subspan(pos_, n);
  pos_ += n;
  return true;
}

static uint64_t be_bytes(std::span<const uint8_t> b) noexcept {
  uint64_t v = 0;
  for (uint8_t x : b)
    v = (v << 8) | x;
  return v;
}

// UTF-8 (section 2.4): u16 length then bytes; also used for object keys (section 2.5).
bool Decoder::short_string(std::string& out) noexcept {
  std::span<const uint8_t> b;
  if (!take(2, b)) return false;
  const size_t n = be_bytes(b);
  if (n > limits_.max_string) return fail("AMF0 string longer than limit");
  if (!take(n, b)) return false;
  out.assign(reinterpret_cast<const char*>(b.data()), b.size());
  return true;
}

// Object and ECMA array bodies (sections 2.5, 2.10): key/value pairs up to an empty key
// followed by the object-end marker.
bool Decoder::properties(std::vector<Property>& out, uint32_t depth) noexcept {
  for (;;) {
    std::string key;
    if (!short_string(key)) return false;
    if (key.empty() && pos_ < in_.size() && in_[pos_] == static_cast<uint8_t>(Marker::ObjectEnd)) {
      ++pos_;
      return true;
    }
    Property p;
    p.key = std::move(key);
    if (!value(p.value, depth + 1)) return false;
    out.push_back(std::move(p));
  }
}

bool Decoder::value(Value& out, uint32_t depth) noexcept {
  if (depth > limits_.max_depth) {
    return fail("AMF0 nesting deeper than " + std::to_string(limits_.max_depth));
  }
  if (++values_ > limits_.max_values) {
    return fail("AMF0 value count exceeds " + std::to_string(limits_.max_values));
  }
  std::span<const uint8_t> b;
  if (!take(1, b)) return false;
  out = Value{};
  out.type = static_cast<Marker>(b[0]);
  switch (out.type) {
    case Marker::Number:  // section 2.2: IEEE-754 double, big-endian
      if (!take(8, b)) return false;
      out.number = std::bit_cast<double>(be_bytes(b));
      return true;
    case Marker::Boolean:  // section 2.3
      if (!take(1, b)) return false;
      out.boolean = b[0] != 0;
      return true;
    case Marker::String:
      return short_string(out.string);
    case Marker::LongString: {  // section 2.14: u32 length
      if (!take(4, b)) return false;
      const uint64_t n = be_bytes(b);
      if (n > limits_.max_string) return fail("AMF0 string longer than limit");
      if (!take(n, b)) return false;
      out.string.assign(reinterpret_cast<const char*>(b.data()), b.size());
      return true;
    }
    case Marker::Object:
      return properties(out.properties, depth);
    case Marker::EcmaArray:  // section 2.10: u32 count hint, then like an object
      if (!take(4, b)) return false;
      return properties(out.properties, depth);
    case Marker::StrictArray: {  // section 2.12: u32 count then values
      if (!take(4, b)) return false;
      const uint64_t n = be_bytes(b);
      // Each element takes at least one byte, so a count beyond the input is a lie.
      if (n > in_.size() - pos_) return fail("AMF0 strict array count exceeds input");
      for (uint64_t i = 0; i < n; ++i) {
        Value e;
        if (!value(e, depth + 1)) return false;
        out.elements.push_back(std::move(e));
      }
      return true;
    }
    case Marker::Date:  // section 2.13: double ms, s16 time zone
      if (!take(8, b)) return false;
      out.number = std::bit_cast<double>(be_bytes(b));
      if (!take(2, b)) return false;
      out.time_zone = static_cast<int16_t>(be_bytes(b));
      return true;
    case Marker::Null:
    case Marker::Undefined:
      return true;
    case Marker::ObjectEnd:
      return fail("AMF0 object end outside an object");
    default:
      return fail("AMF0 unsupported type marker " + std::to_string(b[0]));
  }
}

std::optional<Value> Decoder::next() noexcept {
  if (!error_.empty()) return std::nullopt;
  Value v;
  if (!value(v, 0)) return std::nullopt;
  return v;
}

std::optional<std::vector<Value>> Decoder::all() noexcept {
  std::vector<Value> out;
  while (!empty()) {
    auto v = next();
    if (!v) return std::nullopt;
    out.push_back(std::move(*v));
  }
  return out;
}

// --- Encoder -------------------------------------------------------------------------------

void encode_number(double v, std::vector<uint8_t>& out) {
  base::ByteWriter w(out);
  w.u8(static_cast<uint8_t>(Marker::Number));
  w.u64(std::bit_cast<uint64_t>(v));
}

static void encode_key(std::string_view key, std::vector<uint8_t>& out) {
  base::ByteWriter w(out);
  if (key.size() > 0xffff) key = key.substr(0, 0xffff);
  w.u16(static_cast<uint16_t>(key.size()));
  w.string(key);
}

void encode_string(std::string_view v, std::vector<uint8_t>& out) {
  base::ByteWriter w(out);
  if (v.size() > 0xffff) {
    w.u8(static_cast<uint8_t>(Marker::LongString));
    w.u32(static_cast<uint32_t>(v.size()));
    w.string(v);
    return;
  }
  w.u8(static_cast<uint8_t>(Marker::String));
  encode_key(v, out);
}

void encode_null(std::vector<uint8_t>& out) {
  out.push_back(static_cast<uint8_t>(Marker::Null));
}

static void encode_properties(const std::vector<Property>& props, std::vector<uint8_t>& out) {
  for (const auto& p : props) {
    encode_key(p.key, out);
    encode(p.value, out);
  }
  base::ByteWriter w(out);
  w.u16(0);
  w.u8(static_cast<uint8_t>(Marker::ObjectEnd));
}

void encode(const Value& v, std::vector<uint8_t>& out) {
  base::ByteWriter w(out);
  switch (v.type) {
    case Marker::Number:
      encode_number(v.number, out);
      return;
    case Marker::Boolean:
      w.u8(static_cast<uint8_t>(Marker::Boolean));
      w.u8(v.boolean ? 1 : 0);
      return;
    case Marker::String:
      encode_string(v.string, out);
      return;
    case Marker::LongString:  // kept long even when short, so decode/encode round-trips
      w.u8(static_cast<uint8_t>(Marker::LongString));
      w.u32(static_cast<uint32_t>(v.string.size()));
      w.string(v.string);
      return;
    case Marker::Object:
      w.u8(static_cast<uint8_t>(Marker::Object));
      encode_properties(v.properties, out);
      return;
    case Marker::EcmaArray:
      w.u8(static_cast<uint8_t>(Marker::EcmaArray));
      w.u32(static_cast<uint32_t>(v.properties.size()));
      encode_properties(v.properties, out);
      return;
    case Marker::StrictArray:
      w.u8(static_cast<uint8_t>(Marker::StrictArray));
      w.u32(static_cast<uint32_t>(v.elements.size()));
      for (const auto& e : v.elements)
        encode(e, out);
      return;
    case Marker::Date:
      w.u8(static_cast<uint8_t>(Marker::Date));
      w.u64(std::bit_cast<uint64_t>(v.number));
      w.u16(static_cast<uint16_t>(v.time_zone));
      return;
    case Marker::Undefined:
      w.u8(static_cast<uint8_t>(Marker::Undefined));
      return;
    default:  // Null, and markers we never produce
      encode_null(out);
      return;
  }
}

}  // namespace rtmp::amf0
