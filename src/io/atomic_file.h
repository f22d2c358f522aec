// AtomicFile now lives in util/atomic_file.h beside the temp-and-rename helpers it is built on (one implementation
// for every writer); this header stays so that existing includes keep working.
#pragma once
#include "util/atomic_file.h"
