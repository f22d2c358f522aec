#include "train/distributed/process_group.h"

#include "nwave/error.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <functional>
#include <string>

namespace nwave {

// The backend's all-reduce behind a function: c10d's common base class of Gloo and NCCL differs between LibTorch
// versions (ProcessGroup in 1.x, Backend in 2.x), their all-reduce does not.
struct ProcessGroup::Backend {
  c10::intrusive_ptr<c10d::Store> store;
  std::function<c10::intrusive_ptr<c10d::Work>(std::vector<at::Tensor>&)> all_reduce;
};

namespace {

c10::intrusive_ptr<c10d::Store> rendezvous_store(const LaunchEnvironment& launch, std::chrono::milliseconds timeout) {
  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(launch.master_port);
  options.isServer = !launch.agent_store && launch.rank == 0;
  options.numWorkers = static_cast<std::size_t>(launch.world_size);
  options.waitWorkers = false;
  options.timeout = timeout;
  auto store = c10::make_intrusive<c10d::TCPStore>(launch.master_address, options);
  if (!launch.agent_store) return store;
  // What torch.distributed does under torchrun: a namespace per restart attempt in the agent's store.
  return c10::make_intrusive<c10d::PrefixStore>("/worker/attempt_" + std::to_string(launch.restart_attempt), store);
}

std::shared_ptr<::gloo::transport::Device> gloo_device() {
  // GLOO_SOCKET_IFNAME picks the network interface, as in torch.distributed; otherwise the address of this host's
  // name (loopback when that does not resolve).
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

ProcessGroup::ProcessGroup(const LaunchEnvironment& launch, const torch::Device& device, std::chrono::milliseconds timeout)
    : backend_(std::make_unique<Backend>()), rank_(launch.rank), world_size_(launch.world_size) {
  const std::string where = "rank " + std::to_string(rank_) + " of " + std::to_string(world_size_) + " (" +
                            launch.master_address + ":" + std::to_string(launch.master_port) + ")";
  try {
    backend_->store = rendezvous_store(launch, timeout);
    if (device.is_cuda()) {
#ifdef USE_C10D_NCCL
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = timeout;
      auto group = c10::make_intrusive<c10d::ProcessGroupNCCL>(backend_->store, rank_, world_size_, options);
      backend_->all_reduce = [group](std::vector<at::Tensor>& tensors) { return group->allreduce(tensors); };
#else
      throw Error(ErrorCode::kBadArgument, "distributed training on CUDA needs a LibTorch with NCCL (this one has none)");
#endif
    } else {
      auto options = c10d::ProcessGroupGloo::Options::create(timeout);
      options->devices.push_back(gloo_device());
      auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(backend_->store, rank_, world_size_, options);
      backend_->all_reduce = [group](std::vector<at::Tensor>& tensors) { return group->allreduce(tensors); };
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kTraining, "distributed training: " + where + " could not join the others: " + e.what());
  }
}

ProcessGroup::~ProcessGroup() = default;

void ProcessGroup::sum(torch::Tensor& values) {
  try {
    // Collectives work on contiguous storage; a strided view is summed through a copy.
    std::vector<at::Tensor> buffer = {values.is_contiguous() ? values : values.contiguous()};
    backend_->all_reduce(buffer)->wait();
    if (!buffer[0].is_same(values)) values.copy_(buffer[0]);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kTraining, "distributed training: rank " + std::to_string(rank_) + " lost the other ranks (did one stop or die?): " + e.what());
  }
}

torch::Tensor ProcessGroup::gather_rows(const torch::Tensor& rows) {
  // Two sums: every rank's row count, then each rank's rows in its place of a zero matrix (adding zeros is exact).
  auto counts = torch::zeros({world_size_}, torch::kDouble);
  counts[rank_] = static_cast<double>(rows.size(0));
  counts = counts.to(rows.device());
  sum(counts);
  const auto per_rank = counts.cpu();
  int64_t offset = 0, total = 0;
  for (int r = 0; r < world_size_; ++r) {
    const auto n = static_cast<int64_t>(per_rank[r].item<double>());
    if (r < rank_) offset += n;
    total += n;
  }
  auto shape = rows.sizes().vec();
  shape[0] = total;
  auto all = torch::zeros(shape, rows.options());
  all.narrow(0, offset, rows.size(0)).copy_(rows);
  sum(all);
  return all;
}

}  // namespace nwave
