#include "train/distributed/launch_environment.h"

#include "nwave/error.h"

#include <cstdlib>
#include <string>

namespace nwave {

namespace {

const char* variable(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;
}

int integer_variable(const char* name, int min, int max) {
  const char* value = variable(name);
  if (!value) throw Error(ErrorCode::kBadArgument, std::string("distributed training: ") + name + " is not set (WORLD_SIZE is)");
  char* end = nullptr;
  const long parsed = std::strtol(value, &end, 10);
  if (*end != '\0' || parsed < min || parsed > max)
    throw Error(ErrorCode::kBadArgument, std::string("distributed training: ") + name + "=" + value + " is not an integer in " +
                                             std::to_string(min) + ".." + std::to_string(max));
  return static_cast<int>(parsed);
}

}  // namespace

LaunchEnvironment LaunchEnvironment::from_environment() {
  LaunchEnvironment launch;
  if (!variable("WORLD_SIZE")) return launch;
  launch.world_size = integer_variable("WORLD_SIZE", 1, 1 << 20);
  if (!launch.distributed()) return launch;
  launch.rank = integer_variable("RANK", 0, launch.world_size - 1);
  launch.local_rank = variable("LOCAL_RANK") ? integer_variable("LOCAL_RANK", 0, launch.world_size - 1) : 0;
  const char* address = variable("MASTER_ADDR");
  if (!address) throw Error(ErrorCode::kBadArgument, "distributed training: MASTER_ADDR is not set (WORLD_SIZE is)");
  launch.master_address = address;
  launch.master_port = integer_variable("MASTER_PORT", 1, 65535);
  const char* agent = variable("TORCHELASTIC_USE_AGENT_STORE");
  launch.agent_store = agent && std::string(agent) == "True";
  if (variable("TORCHELASTIC_RESTART_COUNT")) launch.restart_attempt = integer_variable("TORCHELASTIC_RESTART_COUNT", 0, 1 << 20);
  return launch;
}

}  // namespace nwave
