#pragma once
// What of a URL is indexed and how deep it is: the path below the site root.
#include <string>
#include <string_view>

namespace siteseek {

/// The URL's path below `root` (or below its host), without the page extension, with '/' and
/// '#' as spaces: "https://docs.python.org/3/library/os.path.html#x" -> "library os.path x".
std::string url_text(std::string_view url, std::string_view root);
/// Directories between the site root and the page: "library/pathlib.html" -> 1.
unsigned url_depth(std::string_view url, std::string_view root);

}  // namespace siteseek
