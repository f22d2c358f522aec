// Helpers for tests that run `nwave train` (NWAVE_BINARY) as child processes and read what it wrote.
#pragma once
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace nwave::test {

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The rows of OUT/metrics.jsonl. After a kill -9 the last line may be torn (the trainer drops it on --resume):
// with torn_tail_ok, an unparsable last line is ignored; any other unparsable line fails the test.
inline std::vector<nlohmann::json> metrics(const std::string& out, bool torn_tail_ok = false) {
  std::vector<std::string> lines;
  std::ifstream in(out + "/metrics.jsonl");
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::vector<nlohmann::json> rows;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto row = nlohmann::json::parse(lines[i], nullptr, false);
    if (row.is_discarded()) {
      EXPECT_TRUE(torn_tail_ok && i + 1 == lines.size()) << "unparsable metrics line " << i << ": " << lines[i];
      continue;
    }
    rows.push_back(row);
  }
  return rows;
}

// Starts `nwave train` as a child process (argv, no shell) with OMP_NUM_THREADS=1 and the given extra environment
// variables; its stderr is appended to `log`. Returns its pid.
inline pid_t spawn(const std::vector<std::string>& args, const std::string& log,
                   const std::vector<std::pair<std::string, std::string>>& environment = {}) {
  const pid_t pid = fork();
  if (pid == 0) {
    FILE* f = std::freopen(log.c_str(), "a", stderr);
    (void)f;
    f = std::freopen("/dev/null", "w", stdout);
    setenv("OMP_NUM_THREADS", "1", 1);
    for (const auto& [name, value] : environment) setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(NWAVE_BINARY));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(NWAVE_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

// Waits up to `seconds` for the child; returns its wait status, or -1 if it is still running.
inline int wait_for(pid_t pid, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int status = 0;
  while (std::chrono::steady_clock::now() < end) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return -1;
}

// A TCP port on the loopback interface that was free a moment ago (the kernel's pick for port 0).
inline int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    port = ntohs(address.sin_port);
  close(fd);
  return port;
}

}  // namespace nwave::test
