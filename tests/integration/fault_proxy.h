// FaultProxy: a small HTTP/1.1 proxy on loopback, written for the tests, that stands between a
// client and a real server and misbehaves on purpose, request by request:
//
//   delay        holds the answer back for a while, then delivers it
//   reset_before resets the connection before the request reaches the server (nothing happened)
//   reset_after  forwards the request, lets the server act on it, then resets the connection
//                instead of delivering the answer (the client cannot know what happened)
//   swallow      forwards the request, then never answers: the connection stays open and silent
//                until the client gives up (its timeout), like a dead middlebox
//   throttle     answers 503 SlowDown with Retry-After: <retry_after_s> itself (nothing forwarded)
//   fake_conditional_ok  answers a PUT carrying If-None-Match itself with 200 without forwarding
//                it — a store that ignores conditional writes
//
// Each request draws one fault (or none) with the plan's probabilities, from a seeded generator.
// It understands just enough HTTP: Content-Length request bodies, and responses framed by
// Content-Length or chunked encoding (or no body for HEAD, 1xx, 204 and 304).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace sluice::testing {

struct FaultPlan {
  double delay = 0;
  double reset_before = 0;
  double reset_after = 0;
  double swallow = 0;
  double fake_conditional_ok = 0;
  double throttle = 0;
  int retry_after_s = 1;
  int64_t max_delay_ms = 300;
  uint64_t seed = 1;
};

struct FaultCounts {
  int64_t requests = 0;
  int64_t delayed = 0;
  int64_t reset_before = 0;
  int64_t reset_after = 0;
  int64_t swallowed = 0;
  int64_t faked = 0;
  int64_t throttled = 0;
};

class FaultProxy {
 public:
  // Listens on 127.0.0.1 (a free port) and forwards to upstream_host:upstream_port.
  FaultProxy(std::string upstream_host, int upstream_port, FaultPlan plan);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::string endpoint() const;  // "http://127.0.0.1:<port>"
  FaultCounts counts() const;

 private:
  enum class Fault {
    kNone,
    kDelay,
    kResetBefore,
    kResetAfter,
    kSwallow,
    kFakeConditionalOk,
    kThrottle
  };

  void AcceptLoop();
  void Serve(int client);
  Fault Draw(bool conditional_put);

  std::string upstream_host_;
  int upstream_port_;
  FaultPlan plan_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::mt19937_64 random_;
  FaultCounts counts_;
  std::set<int> open_fds_;
  std::vector<std::thread> workers_;
};

}  // namespace sluice::testing
