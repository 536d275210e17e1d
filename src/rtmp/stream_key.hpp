#pragma once
// Builds the StreamKey of a publish/play from what clients actually send: the query ("pwd=x")
// may ride on the connect app ("live?pwd=x"), on the stream name ("stream?pwd=x", OBS, ffmpeg,
// RootEncoder) or only on the tcUrl ("rtmp://host/live?pwd=x").
#include <optional>
#include <string>
#include <string_view>

#include "rtmp/message.hpp"

namespace rtmp {

// `app` and `tc_url` come from the connect command object, `name` from publish/play. The app
// falls back to the tcUrl path when the client sent none. Query parts from several places are
// joined with '&' (duplicates dropped), stream name first.
StreamKey make_stream_key(std::string_view app, std::string_view name, std::string_view tc_url);

// The first value of `name` in an "a=1&b=2" query, percent-decoded ('+' stays '+': passwords may
// hold it). Empty optional when absent, when the value has a malformed escape, or when it is
// longer than MaxQueryValueSize.
inline constexpr size_t MaxQueryValueSize = 4096;
std::optional<std::string> query_param(std::string_view query, std::string_view name);

}  // namespace rtmp
