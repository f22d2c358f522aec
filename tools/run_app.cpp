#include "run_app.h"

#include <cstdio>
#include <exception>
#include <string>

namespace nwave::cli {

int run_app(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    // nwave::Error messages are one line; others (LibTorch's carry a backtrace) are cut to their first.
    const std::string message = e.what();
    std::fprintf(stderr, "nwave: error: %s\n", message.substr(0, message.find('\n')).c_str());
    return 1;
  }
  return 0;
}

}  // namespace nwave::cli
