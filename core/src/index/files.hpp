#pragma once
// Writing a file so that a crash leaves the old one or the new one, whole.
#include <string>
#include <string_view>

namespace siteseek::detail {

/// `bytes` to `path`: written to a temporary file beside it, synced, renamed over `path`, and
/// the directory synced (the rename made durable). Creates the directory. Throws IoError.
void write_durably(const std::string& path, std::string_view bytes);

}  // namespace siteseek::detail
