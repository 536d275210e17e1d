#pragma once
// One event loop per core (as nginx and mediasoup workers do): each connection lives on one loop
// for its whole life, so its state needs no lock; both cores serve connections.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace app {

class IoPool {
 public:
  explicit IoPool(unsigned threads);  // 0: one per core
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  boost::asio::io_context& next();  // round robin
  boost::asio::io_context& main() { return *contexts_.front(); }
  boost::asio::io_context& at(size_t i) { return *contexts_[i]; }
  size_t size() const { return contexts_.size(); }

  void run();   // starts the extra threads and runs main() on the caller's thread
  void stop();  // all loops return

 private:
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace app
