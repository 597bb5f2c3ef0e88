#include "index/url_text.hpp"

#include "siteseek/document.hpp"

namespace siteseek {

namespace {
std::string_view relative_path(std::string_view url, std::string_view root) {
  if (!root.empty() && url.starts_with(root)) return url.substr(root.size());
  auto scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    auto slash = url.find('/', scheme + 3);
    url = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
  }
  while (!url.empty() && url.front() == '/') url.remove_prefix(1);
  return url;
}
}  // namespace

std::string url_text(std::string_view url, std::string_view root) {
  auto path = relative_path(url, root);
  std::string fragment, routed;
  const auto page = page_of(path);
  if (const auto hash = page.find('#'); hash != std::string_view::npos) {
    // A route ("#/guide/install?id=usage"): the route is the path, its query's id the anchor.
    routed = std::string(page.substr(0, hash)).append(page.substr(page[hash + 1] == '!' ? hash + 2 : hash + 1));
    if (auto id = path.substr(page.size()).find("id="); id != std::string_view::npos) {
      const auto value = path.substr(page.size() + id + 3);
      fragment = value.substr(0, value.find('&'));
    }
    path = routed;
  } else {
    auto q = path.find('?');
    if (q != std::string_view::npos) path = path.substr(0, q);
    if (const auto at = path.find('#'); at != std::string_view::npos) {
      fragment = path.substr(at + 1);
      path = path.substr(0, at);
    }
  }
  for (std::string_view ext : {".html", ".htm", ".php", ".md"})
    if (path.ends_with(ext)) path.remove_suffix(ext.size());
  if (path.ends_with("/index")) path.remove_suffix(5);
  std::string out(path);
  if (!fragment.empty()) out += ' ' + fragment;
  for (auto& c : out)
    if (c == '/' || c == '#') c = ' ';
  return out;
}

unsigned url_depth(std::string_view url, std::string_view root) {
  auto path = relative_path(url, root);
  auto end = path.find_first_of("?#");
  if (end != std::string_view::npos) path = path.substr(0, end);
  unsigned depth = 0;
  for (std::size_t i = 0; i + 1 < path.size(); ++i)
    if (path[i] == '/') ++depth;
  return depth;
}

}  // namespace siteseek
