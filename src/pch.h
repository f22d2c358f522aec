// Precompiled header for the library, tools, tests and benchmarks: LibTorch's headers are the slow part.
#pragma once
#include <torch/torch.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
