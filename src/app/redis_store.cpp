#include "app/redis_store.hpp"

#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "app/wall_clock.hpp"

namespace app {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kBackoffMin{100};
constexpr milliseconds kBackoffMax{1000};
constexpr int64_t kIndexForgetMs = 60'000;  // index entries silent this long are trimmed
constexpr size_t kMaxIndexEntrySize = 512;  // an id or a path; anything longer is not ours

// Deletes the key only while it still holds the value the caller wrote.
constexpr const char* kDropIfOurs =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
    "return 0";

timeval to_timeval(milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

std::string context_error(const redisContext* c, const char* what, milliseconds timeout) {
  if (!c) return std::string(what) + ": out of memory";
  // hiredis reports a socket timeout as EAGAIN's text.
  if (c->err == REDIS_ERR_IO && std::string_view(c->errstr) == std::strerror(EAGAIN))
    return std::string(what) + ": no answer within " + std::to_string(timeout.count()) + " ms";
  return std::string(what) + ": " + (c->errstr[0] ? c->errstr : "connection lost");
}

}  // namespace

RedisStore::RedisStore(Options options, OnRead on_read, OnCounted on_counted)
    : options_(std::move(options)),
      on_read_(std::move(on_read)),
      on_counted_(std::move(on_counted)) {}

RedisStore::~RedisStore() {
  stop();
}

std::string RedisStore::name() const {
  return "redis " + options_.host + ":" + std::to_string(options_.port);
}

void RedisStore::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void RedisStore::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RedisStore::enqueue(std::vector<Command> commands) {
  {
    std::lock_guard lock(mutex_);
    for (auto& c : commands)
      queue_.push_back(std::move(c));
    while (queue_.size() > options_.max_queue)
      queue_.pop_front();
  }
  wake_.notify_one();
}

void RedisStore::put_node(const std::string& node_id, std::string value, milliseconds ttl) {
  const auto& p = options_.prefix;
  enqueue({{"SET", p + "node:" + node_id, std::move(value), "PX", std::to_string(ttl.count())},
           {"ZADD", p + "nodes", std::to_string(unix_millis()), node_id}});
}

void RedisStore::put_origin(const std::string& path, std::string value, milliseconds ttl) {
  const auto& p = options_.prefix;
  enqueue({{"SET", p + "origin:" + path, std::move(value), "PX", std::to_string(ttl.count())},
           {"ZADD", p + "origins", std::to_string(unix_millis()), path}});
}

void RedisStore::drop_origin(const std::string& path, std::string ours) {
  enqueue({{"EVAL", kDropIfOurs, "1", options_.prefix + "origin:" + path, std::move(ours)}});
}

void RedisStore::put_placement(const std::string& path, const std::string& user_id,
                               const std::string& node_id, std::chrono::seconds ttl) {
  enqueue({{"SET", options_.prefix + "place:" + path + ":" + user_id, node_id, "EX",
            std::to_string(std::max<int64_t>(1, ttl.count()))}});
}

void RedisStore::count_assignment(const std::string& node_id) {
  const auto key =
      options_.prefix + "assigned:" + node_id + ":" + std::to_string(unix_millis() / 60'000);
  enqueue({{"INCR", key}, {"PEXPIRE", key, "150000"}});
}

void RedisStore::run() {
  auto backoff = kBackoffMin;
  auto next_read = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    std::string error;
    bool ok = (context_ || connect(error)) && flush_writes(error);
    if (ok && std::chrono::steady_clock::now() >= next_read) {
      Read read;
      ok = read.ok = read_snapshot(read);
      error = read.error;
      if (ok) on_read_(read);
      next_read = std::chrono::steady_clock::now() + options_.refresh;
    }
    if (!ok) {
      // Refused, or connected to a Redis that does not answer (stopped, overloaded): wait
      // before the next try either way, so a hung Redis is not sent a connection a timeout.
      disconnect();
      on_read_({false, error, {}});
      std::unique_lock lock(mutex_);
      queue_.clear();  // the writers repeat them: nothing is lost for good
      wake_.wait_for(lock, backoff, [this] { return stopping_; });
      backoff = std::min(backoff * 2, kBackoffMax);
      continue;
    }
    backoff = kBackoffMin;
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, next_read, [this] { return stopping_ || !queue_.empty(); });
  }
  std::string error;
  if (context_) flush_writes(error);  // a stopping node's last words: its origins dropped
  disconnect();
}

bool RedisStore::connect(std::string& error) {
  const auto tv = to_timeval(options_.timeout);
  std::unique_ptr<redisContext, ContextDeleter> c(
      redisConnectWithTimeout(options_.host.c_str(), options_.port, tv));
  if (!c || c->err) {
    error = context_error(c.get(), "connect", options_.timeout);
    return false;
  }
  if (redisSetTimeout(c.get(), tv) != REDIS_OK) {
    error = context_error(c.get(), "set timeout", options_.timeout);
    return false;
  }
  context_ = std::move(c);
  if (!options_.password.empty() && !execute({"AUTH", options_.password}, error)) {
    error = "AUTH: " + error;
    disconnect();
    return false;
  }
  return true;
}

void RedisStore::disconnect() {
  context_.reset();
}

RedisStore::Reply RedisStore::execute(const Command& command, std::string& error) {
  std::vector<Reply> replies;
  if (!pipeline({command}, replies, error)) return nullptr;
  return std::move(replies.front());
}

// Sends every command, then reads every reply; an error reply fails the whole batch (a
// wrong password or a full Redis shows up as unavailable, with Redis' own words).
bool RedisStore::pipeline(const std::vector<Command>& commands, std::vector<Reply>& replies,
                          std::string& error) {
  replies.clear();
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& cmd : commands) {
    argv.clear();
    lens.clear();
    for (const auto& arg : cmd) {
      argv.push_back(arg.data());
      lens.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(),
                               lens.data()) != REDIS_OK) {
      error = context_error(context_.get(), "send", options_.timeout);
      return false;
    }
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_.get(), &raw) != REDIS_OK || !raw) {
      error = context_error(context_.get(), "reply", options_.timeout);
      return false;
    }
    Reply reply(static_cast<redisReply*>(raw));
    if (reply->type == REDIS_REPLY_ERROR) {
      error = std::string(commands[i].front()) + ": " + std::string(reply->str, reply->len);
      return false;
    }
    replies.push_back(std::move(reply));
  }
  return true;
}

bool RedisStore::flush_writes(std::string& error) {
  std::vector<Command> batch;
  {
    std::lock_guard lock(mutex_);
    batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
    queue_.clear();
  }
  if (batch.empty()) return true;
  std::vector<Reply> replies;
  if (!pipeline(batch, replies, error)) return false;
  const auto counter = options_.prefix + "assigned:";
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto& key = batch[i].size() == 2 ? batch[i][1] : std::string();
    if (batch[i][0] != "INCR" || replies[i]->type != REDIS_REPLY_INTEGER) continue;
    if (!key.starts_with(counter) || key.rfind(':') <= counter.size()) continue;
    // assigned:<node id>:<minute>; node ids have no ':'.
    on_counted_(key.substr(counter.size(), key.rfind(':') - counter.size()), replies[i]->integer);
  }
  return true;
}

bool RedisStore::read_snapshot(Read& out) {
  return read_index("nodes", options_.max_entries, out.raw.nodes, "node:", out.error) &&
         read_index("origins", options_.max_entries, out.raw.origins, "origin:", out.error) &&
         read_assigned(out);
}

// This minute's and the last minute's counters of every listed node, in one MGET.
bool RedisStore::read_assigned(Read& out) {
  if (out.raw.nodes.empty()) return true;
  const auto minute = unix_millis() / 60'000;
  Command mget{"MGET"};
  for (const auto& [id, value] : out.raw.nodes) {
    for (const auto m : {minute, minute - 1})
      mget.push_back(options_.prefix + "assigned:" + id + ":" + std::to_string(m));
  }
  std::vector<Reply> replies;
  if (!pipeline({mget}, replies, out.error)) return false;
  const auto* values = replies[0].get();
  if (values->type != REDIS_REPLY_ARRAY || values->elements != mget.size() - 1) {
    out.error = "MGET: not an array of " + std::to_string(mget.size() - 1);
    return false;
  }
  const auto text = [&](size_t i) -> std::optional<std::string> {
    const auto* v = values->element[i];
    if (v->type != REDIS_REPLY_STRING) return std::nullopt;
    return std::string(v->str, v->len);
  };
  for (size_t n = 0; n < out.raw.nodes.size(); ++n)
    out.raw.assigned.push_back({out.raw.nodes[n].first, text(2 * n), text(2 * n + 1)});
  return true;
}

// ZRANGE of the index (after trimming silent entries), then one MGET of the listed keys.
bool RedisStore::read_index(const std::string& index, size_t count,
                            std::vector<std::pair<std::string, std::optional<std::string>>>& out,
                            const std::string& key_prefix, std::string& error) {
  const auto key = options_.prefix + index;
  std::vector<Reply> replies;
  if (!pipeline({{"ZREMRANGEBYSCORE", key, "-inf", std::to_string(unix_millis() - kIndexForgetMs)},
                 {"ZRANGE", key, "0", std::to_string(count - 1)}},
                replies, error))
    return false;
  const auto* list = replies[1].get();
  if (list->type != REDIS_REPLY_ARRAY) {
    error = "ZRANGE " + key + ": not an array";
    return false;
  }
  Command mget{"MGET"};
  std::vector<std::string> names;
  for (size_t i = 0; i < list->elements && i < count; ++i) {
    const auto* e = list->element[i];
    if (e->type != REDIS_REPLY_STRING || e->len == 0 || e->len > kMaxIndexEntrySize) continue;
    names.emplace_back(e->str, e->len);
    mget.push_back(options_.prefix + key_prefix + names.back());
  }
  if (names.empty()) return true;
  if (!pipeline({mget}, replies, error)) return false;
  const auto* values = replies[0].get();
  if (values->type != REDIS_REPLY_ARRAY || values->elements != names.size()) {
    error = "MGET: not an array of " + std::to_string(names.size());
    return false;
  }
  for (size_t i = 0; i < names.size(); ++i) {
    const auto* v = values->element[i];
    if (v->type == REDIS_REPLY_STRING)
      out.emplace_back(std::move(names[i]), std::string(v->str, v->len));
    else
      out.emplace_back(std::move(names[i]), std::nullopt);  // expired, or not a string
  }
  return true;
}

}  // namespace app
