#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace sluice::testing {
namespace {

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Buffered reads from one socket.
class Reader {
 public:
  explicit Reader(int fd) : fd_(fd) {}

  // Reads up to and including "\r\n\r\n"; false on EOF or error.
  bool ReadHead(std::string* head) {
    while (true) {
      const size_t end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        *head = buffer_.substr(0, end + 4);
        buffer_.erase(0, end + 4);
        return true;
      }
      if (!Fill()) return false;
    }
  }

  bool ReadExactly(size_t n, std::string* out) {
    while (buffer_.size() < n) {
      if (!Fill()) return false;
    }
    out->append(buffer_, 0, n);
    buffer_.erase(0, n);
    return true;
  }

  bool ReadLine(std::string* out) {
    while (true) {
      const size_t end = buffer_.find("\r\n");
      if (end != std::string::npos) {
        out->append(buffer_, 0, end + 2);
        buffer_.erase(0, end + 2);
        return true;
      }
      if (!Fill()) return false;
    }
  }

 private:
  bool Fill() {
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  std::string buffer_;
};

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string HeaderValue(const std::string& head, const std::string& name) {
  const std::string lower = Lower(head);
  const std::string key = "\r\n" + name + ":";
  const size_t at = lower.find(key);
  if (at == std::string::npos) return "";
  size_t start = at + key.size();
  const size_t end = head.find("\r\n", start);
  while (start < end && head[start] == ' ') ++start;
  return head.substr(start, end - start);
}

// Closes with an RST instead of a FIN.
void Reset(int fd) {
  linger option{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, sizeof(option));
  ::close(fd);
}

int ConnectTo(const std::string& host, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &address.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// Reads one whole response (head and body, raw) from the server.
bool ReadResponse(Reader* reader, const std::string& method, std::string* raw) {
  std::string head;
  do {
    head.clear();
    if (!reader->ReadHead(&head)) return false;
    raw->append(head);
  } while (head.starts_with("HTTP/1.1 1"));  // 100 Continue and friends precede the answer
  const int status = std::atoi(head.c_str() + 9);
  if (method == "HEAD" || status == 204 || status == 304) return true;
  if (Lower(HeaderValue(head, "transfer-encoding")).find("chunked") != std::string::npos) {
    while (true) {
      std::string size_line;
      if (!reader->ReadLine(&size_line)) return false;
      raw->append(size_line);
      const size_t size = std::stoul(size_line, nullptr, 16);
      if (size == 0) {
        // Trailers until an empty line.
        while (true) {
          std::string line;
          if (!reader->ReadLine(&line)) return false;
          raw->append(line);
          if (line == "\r\n") return true;
        }
      }
      if (!reader->ReadExactly(size + 2, raw)) return false;
    }
  }
  const std::string length = HeaderValue(head, "content-length");
  return length.empty() || reader->ReadExactly(std::stoul(length), raw);
}

}  // namespace

FaultProxy::FaultProxy(std::string upstream_host, int upstream_port, FaultPlan plan)
    : upstream_host_(std::move(upstream_host)),
      upstream_port_(upstream_port),
      plan_(plan),
      random_(plan.seed) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listener_, 64) != 0) {
    throw std::runtime_error("fault proxy: cannot listen on 127.0.0.1");
  }
  socklen_t length = sizeof(address);
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FaultProxy::~FaultProxy() {
  stopping_ = true;
  acceptor_.join();
  ::close(listener_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (std::thread& worker : workers_) worker.join();
}

std::string FaultProxy::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

FaultCounts FaultProxy::counts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return counts_;
}

void FaultProxy::AcceptLoop() {
  while (!stopping_) {
    pollfd waiting{listener_, POLLIN, 0};
    if (::poll(&waiting, 1, 50) <= 0) continue;
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    const int one = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    std::lock_guard<std::mutex> lock(mutex_);
    open_fds_.insert(client);
    workers_.emplace_back([this, client] { Serve(client); });
  }
}

FaultProxy::Fault FaultProxy::Draw(bool conditional_put) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++counts_.requests;
  double roll = std::uniform_real_distribution<double>(0, 1)(random_);
  if (conditional_put && (roll -= plan_.fake_conditional_ok) < 0) {
    ++counts_.faked;
    return Fault::kFakeConditionalOk;
  }
  if ((roll -= plan_.throttle) < 0) {
    ++counts_.throttled;
    return Fault::kThrottle;
  }
  if ((roll -= plan_.reset_before) < 0) {
    ++counts_.reset_before;
    return Fault::kResetBefore;
  }
  if ((roll -= plan_.reset_after) < 0) {
    ++counts_.reset_after;
    return Fault::kResetAfter;
  }
  if ((roll -= plan_.swallow) < 0) {
    ++counts_.swallowed;
    return Fault::kSwallow;
  }
  if ((roll -= plan_.delay) < 0) {
    ++counts_.delayed;
    return Fault::kDelay;
  }
  return Fault::kNone;
}

void FaultProxy::Serve(int client) {
  Reader from_client(client);
  int upstream = -1;
  std::unique_ptr<Reader> from_upstream;
  bool reset = false;
  while (!stopping_) {
    std::string request;
    if (!from_client.ReadHead(&request)) break;
    const std::string method = request.substr(0, request.find(' '));
    const std::string length = HeaderValue(request, "content-length");
    if (!length.empty() && !from_client.ReadExactly(std::stoul(length), &request)) break;
    const bool conditional_put = method == "PUT" && !HeaderValue(request, "if-none-match").empty();
    const Fault fault = Draw(conditional_put);
    if (fault == Fault::kResetBefore) {
      reset = true;
      break;
    }
    if (fault == Fault::kFakeConditionalOk) {
      if (!SendAll(client, "HTTP/1.1 200 OK\r\nETag: \"faked\"\r\nContent-Length: 0\r\n\r\n")) {
        break;
      }
      continue;
    }
    if (fault == Fault::kThrottle) {
      const std::string body =
          "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
      if (!SendAll(client,
                   "HTTP/1.1 503 Slow Down\r\nRetry-After: " + std::to_string(plan_.retry_after_s) +
                       "\r\nContent-Type: application/xml\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body)) {
        break;
      }
      continue;
    }
    if (upstream < 0) {
      upstream = ConnectTo(upstream_host_, upstream_port_);
      if (upstream < 0) {
        reset = true;
        break;
      }
      from_upstream = std::make_unique<Reader>(upstream);
    }
    std::string response;
    if (!SendAll(upstream, request) || !ReadResponse(from_upstream.get(), method, &response)) {
      reset = true;
      break;
    }
    if (fault == Fault::kResetAfter) {
      reset = true;
      break;
    }
    if (fault == Fault::kSwallow) {
      // Silent until the client hangs up (or the proxy stops).
      while (!stopping_) {
        pollfd waiting{client, POLLIN, 0};
        if (::poll(&waiting, 1, 100) > 0) {
          char byte;
          if (::recv(client, &byte, 1, MSG_PEEK) <= 0) break;
        }
      }
      break;
    }
    if (fault == Fault::kDelay) {
      std::uniform_int_distribution<int64_t> pause(0, plan_.max_delay_ms);
      int64_t ms;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ms = pause(random_);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
    if (!SendAll(client, response)) break;
    if (Lower(HeaderValue(response, "connection")) == "close") break;
  }
  if (upstream >= 0) ::close(upstream);
  std::lock_guard<std::mutex> lock(mutex_);
  open_fds_.erase(client);
  if (reset) {
    Reset(client);
  } else {
    ::close(client);
  }
}

}  // namespace sluice::testing
