#include "pst.h"

namespace {
thread_local std::string last_error;
thread_local bool has_error = false;
thread_local pst::ErrorKind last_kind = pst::kGeneralError;
}  // namespace

namespace pst {
void set_error(const char* message, ErrorKind kind) {
    last_error = message != nullptr ? message : "";
    last_kind = kind;
    has_error = true;
}
void clear_error() { has_error = false; last_kind = kGeneralError; last_error.clear(); }
}  // namespace pst

// The message of the last failed call on this thread, or nullptr; valid until the next call fails.
PST_API const char* PST_error_last() { return has_error ? last_error.c_str() : nullptr; }
// The kind of the last failed call on this thread (pst::ErrorKind: 0 = general, 1 = out of memory).
PST_API int32_t PST_error_last_kind() { return has_error ? last_kind : pst::kGeneralError; }
PST_API void PST_error_clear() { pst::clear_error(); }
