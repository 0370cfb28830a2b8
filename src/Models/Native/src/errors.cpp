#include "pst.h"

namespace {
thread_local std::string last_error;
thread_local bool has_error = false;
}  // namespace

namespace pst {
void set_error(const char* message) {
    last_error = message != nullptr ? message : "";
    has_error = true;
}
void clear_error() { has_error = false; last_error.clear(); }
}  // namespace pst

// The message of the last failed call on this thread, or nullptr; valid until the next call fails.
PST_API const char* PST_error_last() { return has_error ? last_error.c_str() : nullptr; }
PST_API void PST_error_clear() { pst::clear_error(); }
