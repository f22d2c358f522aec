// Where this process sits in a data-parallel training job, read from the variables torchrun sets (WORLD_SIZE,
// RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT; scripts/slurm_train.sh sets the same from Slurm's). Without
// WORLD_SIZE, or with WORLD_SIZE=1, training runs in one process as before.
#pragma once
#include <string>

namespace nwave {

struct LaunchEnvironment {
  int world_size = 1;
  int rank = 0;
  int local_rank = 0;  // the rank among the processes of this machine: picks the GPU
  std::string master_address;
  int master_port = 0;
  // torchrun's agent already serves the rendezvous store at MASTER_ADDR:MASTER_PORT (TORCHELASTIC_USE_AGENT_STORE):
  // every rank joins it as a client, under the prefix of this restart attempt. Otherwise rank 0 serves it.
  bool agent_store = false;
  int restart_attempt = 0;  // TORCHELASTIC_RESTART_COUNT

  bool distributed() const { return world_size > 1; }

  // Throws Error(kBadArgument) naming the variable when one is missing, not a number, or out of range.
  static LaunchEnvironment from_environment();
};

}  // namespace nwave
