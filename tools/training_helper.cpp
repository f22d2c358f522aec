#include "training_helper.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

extern char** environ;

namespace nwave::cli {

namespace {

constexpr const char* kHelperName = "nwave-train";

// Beside nwave (the build tree), then <prefix>/libexec/nwave/ relative to nwave (an installed tree, wherever it was
// moved), then the libexec directory configured at build time.
std::string helper_path() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const auto& candidate : {exe.parent_path() / kHelperName,
                                  exe.parent_path() / ".." / "libexec" / "nwave" / kHelperName})
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  const auto installed = std::filesystem::path(NWAVE_HELPER_DIR) / kHelperName;
  if (::access(installed.c_str(), X_OK) == 0) return installed.string();
  return {};
}

}  // namespace

bool is_training_command(int argc, char** argv) {
  if (argc < 2) return false;
  const std::string command = argv[1];
  return command == "train" || command == "eval";
}

int exec_training_helper(int argc, char** argv) {
  const std::string helper = helper_path();
  if (helper.empty()) {
    std::fprintf(stderr, "nwave: error: '%s' needs %s, which is not installed (looked beside nwave and in %s)\n",
                 argv[1], kHelperName, NWAVE_HELPER_DIR);
    return 1;
  }
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  args[0] = const_cast<char*>(helper.c_str());
  ::execv(helper.c_str(), args.data());
  std::fprintf(stderr, "nwave: error: cannot run %s: %s\n", helper.c_str(), std::strerror(errno));
  return 1;
}

int run_training_helper(const std::vector<std::string>& args) {
  const std::string helper = helper_path();
  if (helper.empty()) return -1;
  std::vector<char*> argv{const_cast<char*>(helper.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(stdout);
  pid_t pid = 0;
  if (::posix_spawn(&pid, helper.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

void add_training_commands(CLI::App& app) {
  app.add_subcommand("train", "Train a codec model on folders of audio (`nwave train --help`; runs nwave-train)");
  app.add_subcommand("eval", "Quality report on folders of audio, optionally beside Opus (`nwave eval --help`; runs "
                             "nwave-train)");
}

}  // namespace nwave::cli
