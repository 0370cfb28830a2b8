// A cap on the CPU tensor memory that one thread allocates: an allocation beyond it fails inside libtorch with the
// error libtorch raises when memory runs out (c10::OutOfMemoryError), so callers exercise their real out-of-memory
// path. On Linux an oversized CPU allocation rarely fails (overcommit): the kernel kills the process instead, which
// no caller can report. The cap turns that into an error while there is still memory to report it.
#include "pst.h"

#include <c10/core/CPUAllocator.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace {
struct Budget {
    explicit Budget(int64_t limit) : limit(limit) {}
    const int64_t limit;
    std::atomic<int64_t> in_use{0};
};

// The open limits of this thread, innermost last; only the innermost counts.
thread_local std::vector<std::shared_ptr<Budget>> budgets;

// Every block handed out since the install, by address: libtorch's raw_allocate needs the DataPtr's context to be the
// data pointer, so the inner allocation and its budget are looked up here when libtorch frees the block (on any thread).
struct Block {
    c10::DataPtr inner;
    std::shared_ptr<Budget> budget;
    int64_t bytes = 0;
};

// Never destroyed: tensors may still be freed while the process exits.
std::mutex& blocks_mutex = *new std::mutex;
std::unordered_map<void*, Block>& blocks = *new std::unordered_map<void*, Block>;

void release(void* data) {
    Block block;
    {
        std::lock_guard<std::mutex> lock(blocks_mutex);
        auto it = blocks.find(data);
        if (it == blocks.end()) return;
        block = std::move(it->second);
        blocks.erase(it);
    }
    if (block.budget) block.budget->in_use -= block.bytes;
}  // block.inner frees the memory here, outside the lock

// Wraps libtorch's CPU allocator; threads without an open limit are not counted.
class CappedAllocator final : public c10::Allocator {
public:
    explicit CappedAllocator(c10::Allocator* inner) : inner_(inner) {}

    // libtorch 2.3 made allocate non-const and added copy_data: declaring both forms builds against 1.13 and 2.x.
    c10::DataPtr allocate(size_t n) const { return Counting(n); }
    c10::DataPtr allocate(size_t n) { return Counting(n); }
    void copy_data(void* dest, const void* src, std::size_t count) const { std::memcpy(dest, src, count); }
    c10::DeleterFnPtr raw_deleter() const override { return &release; }

private:
    c10::DataPtr Counting(size_t n) const {
        const c10::Device cpu(c10::DeviceType::CPU);
        if (n == 0) return c10::DataPtr(nullptr, nullptr, &release, cpu);
        auto budget = budgets.empty() ? nullptr : budgets.back();
        const auto bytes = static_cast<int64_t>(n);
        if (budget) {
            const auto before = budget->in_use.fetch_add(bytes);
            if (before + bytes > budget->limit) {
                budget->in_use -= bytes;
                TORCH_CHECK_WITH(OutOfMemoryError, false, "CPU memory limit reached: tried to allocate ", bytes, " bytes with ", before,
                                 " bytes in use under a limit of ", budget->limit, " bytes");
            }
        }
        try {
            auto inner = inner_->allocate(n);
            void* data = inner.get();
            std::lock_guard<std::mutex> lock(blocks_mutex);
            blocks[data] = Block{std::move(inner), budget, bytes};
            return c10::DataPtr(data, data, &release, cpu);
        } catch (...) {
            if (budget) budget->in_use -= bytes;
            throw;
        }
    }

    c10::Allocator* inner_;
};

// Installed on first use only, so that processes that never set a limit keep libtorch's allocator untouched. The
// allocator slot is a plain pointer that libtorch reads on every allocation; replacing it while other threads allocate
// is a pointer-sized store, and blocks from either allocator are freed by their own deleters.
void install() {
    static std::once_flag once;
    std::call_once(once, [] {
        static CappedAllocator capped(c10::GetCPUAllocator());
        c10::SetCPUAllocator(&capped, /*priority=*/1);
    });
}
}  // namespace

// Opens a limit of `bytes` on the CPU tensor memory this thread allocates from now on (nested limits: the innermost counts).
PST_API int32_t PST_memory_limit_push(int64_t bytes) {
    PST_STATUS(TORCH_CHECK(bytes > 0, "a memory limit must be > 0 bytes, not ", bytes); install();
               budgets.push_back(std::make_shared<Budget>(bytes)))
}

// Closes this thread's innermost limit; memory it counted stays allocated until libtorch frees it.
PST_API void PST_memory_limit_pop() {
    if (!budgets.empty()) budgets.pop_back();
}

// Bytes counted by this thread's innermost limit and not yet freed, or -1 without a limit.
PST_API int64_t PST_memory_limit_in_use() { return budgets.empty() ? -1 : budgets.back()->in_use.load(); }
