#include "ingest/markdown.hpp"

#include <md4c-html.h>
#include <re2/re2.h>

#include <algorithm>
#include <map>

namespace siteseek::ingest_detail {

namespace {

// A string option of the `window.$docsify` object given as a literal: name: 'value' or "value".
std::optional<std::string> option(std::string_view config, const char* name) {
  const RE2 re(std::string(R"((?:^|[{,\s]))") + name + R"(\s*:\s*['"]([^'"]*)['"])");
  std::string value;
  if (RE2::PartialMatch(config, re, &value)) return value;
  return std::nullopt;
}

// Without the tags (a heading's text as Docsify's slugify and the sidebar see it).
std::string without_tags(std::string_view html) {
  std::string out;
  for (std::size_t i = 0; i < html.size(); ++i) {
    if (html[i] == '<') {
      const auto end = html.find('>', i);
      if (end == std::string_view::npos) break;
      i = end;
      continue;
    }
    out += html[i];
  }
  return out;
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
}

}  // namespace

std::optional<DocsifySite> docsify_site(std::string_view html) {
  static const RE2 script(R"(<script[^>]+src=["'][^"']*docsify(?:@[^/"']*)?(?:/lib)?/?(?:docsify(?:\.min)?\.js)?["'])");
  const auto at = html.find("$docsify");
  if (at == std::string_view::npos && !RE2::PartialMatch(html, script)) return std::nullopt;
  DocsifySite site;
  static const RE2 major(R"(docsify@(\d+))");
  if (int v = 0; RE2::PartialMatch(html, major, &v) && v > 0) site.version = v;
  if (at == std::string_view::npos) return site;
  // The object literal after it, to its closing brace (options hold no braces of their own that
  // these read; a function option's body is skipped over as text).
  const auto open = html.find('{', at);
  if (open == std::string_view::npos) return site;
  int depth = 0;
  std::size_t close = open;
  for (; close < html.size(); ++close) {
    if (html[close] == '{') ++depth;
    else if (html[close] == '}' && --depth == 0) break;
  }
  const auto config = html.substr(open, close - open);
  if (const auto mode = option(config, "routerMode")) site.history = *mode == "history";
  if (auto base = option(config, "basePath")) {
    // A base path on another host, or above the page, cannot be read from its directory: the
    // files beside the page are.
    if (base->find("://") == std::string::npos && !base->starts_with("//") && base->find("..") == std::string::npos) {
      while (base->starts_with("./")) base->erase(0, 2);
      while (base->starts_with('/')) base->erase(0, 1);
      if (!base->empty() && base->back() != '/') *base += '/';
      site.base_path = *base;
    }
  }
  if (auto home = option(config, "homepage"); home && !home->empty() && home->find("://") == std::string::npos) site.homepage = *home;
  if (auto name = option(config, "name")) site.name = without_tags(*name);
  return site;
}

std::string docsify_url(const DocsifySite& site, std::string_view root, std::string_view file) {
  std::string route(file);
  if (route == site.homepage) route.clear();
  if (route.ends_with(".md")) route.resize(route.size() - 3);
  if (route == "README") route.clear();
  else if (route.ends_with("/README")) route.resize(route.size() - 6);
  return std::string(root).append(site.history ? "" : "#/").append(route);
}

std::string docsify_link_file(const DocsifySite& site, std::string_view href) {
  if (href.starts_with("#!/")) href.remove_prefix(2);
  else if (href.starts_with("#/")) href.remove_prefix(1);
  else if (href.starts_with('#') || href.find("://") != std::string_view::npos || href.starts_with("//") || href.starts_with("mailto:"))
    return {};
  href = href.substr(0, href.find_first_of("?#"));
  while (href.starts_with("./")) href.remove_prefix(2);
  while (href.starts_with('/')) href.remove_prefix(1);
  if (href.find("..") != std::string_view::npos) return {};  // above the base path
  std::string file(href);
  if (file.empty() || file.ends_with('/')) file += file.empty() ? site.homepage : "README.md";
  const auto slash = file.rfind('/'), dot = file.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) file += ".md";
  return file.ends_with(".md") ? file : std::string();
}

std::vector<std::string> docsify_linked_files(const DocsifySite& site, std::string_view html) {
  static const RE2 href(R"re(<a\s[^>]*href="([^"]*)")re");
  std::vector<std::string> out;
  re2::StringPiece in(html.data(), html.size());
  std::string link;
  while (RE2::FindAndConsume(&in, href, &link))
    if (auto file = docsify_link_file(site, link); !file.empty() && std::find(out.begin(), out.end(), file) == out.end())
      out.push_back(std::move(file));
  return out;
}

std::string docsify_fallback_title(const DocsifySite& site, std::string_view file) {
  const auto name = file.substr(file.rfind('/') + 1);
  if ((file == site.homepage || name == "README.md") && !site.name.empty()) return site.name;
  return std::string(name.ends_with(".md") ? name.substr(0, name.size() - 3) : name);
}

std::string docsify_slug(std::string_view heading_html, int version) {
  std::string out = without_tags(trim(heading_html));
  if (version >= 5) {
    // The heading's text: the references md4c wrote for &, <, >, " (and a numeric ') as those.
    for (const auto& [ref, ch] : {std::pair{"&amp;", "&"}, std::pair{"&lt;", "<"}, std::pair{"&gt;", ">"},
                                  std::pair{"&quot;", "\""}, std::pair{"&#39;", "'"}})
      for (auto p = out.find(ref); p != std::string::npos; p = out.find(ref, p + 1)) out.replace(p, std::string_view(ref).size(), ch);
    out = trim(out);
  }
  for (auto& c : out) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  // Docsify drops ASCII punctuation ('-' and '_' stay) and the general punctuation blocks
  // U+2000-206F and U+2E00-2E7F (three bytes in UTF-8: E2 80-81 xx, E2 B8-B9 xx).
  std::string kept;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto c = static_cast<unsigned char>(out[i]);
    if (c < 0x80) {
      if (std::string_view("\\'!\"#$%&()*+,./:;<=>?@[]^`{|}~").find(static_cast<char>(c)) != std::string_view::npos) continue;
      const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
      // Version 4 makes each run of white space and dashes one '-'; 5 each white space one.
      if ((space || c == '-') && version < 5 && !kept.empty() && kept.back() == '-') continue;
      kept += space ? '-' : static_cast<char>(c);
      continue;
    }
    if (c == 0xE2 && i + 2 < out.size()) {
      const auto b = static_cast<unsigned char>(out[i + 1]);
      if (b == 0x80 || b == 0x81 || b == 0xB8 || b == 0xB9) {
        i += 2;
        continue;
      }
    }
    kept += static_cast<char>(c);
  }
  if (!kept.empty() && kept.front() >= '0' && kept.front() <= '9') kept.insert(kept.begin(), '_');
  return kept;
}

std::string docsify_page_html(std::string_view markdown, std::string_view fallback_title, int version) {
  std::string body;
  md_html(markdown.data(), static_cast<MD_SIZE>(markdown.size()),
          [](const MD_CHAR* text, MD_SIZE size, void* out) { static_cast<std::string*>(out)->append(text, size); }, &body,
          MD_DIALECT_GITHUB, MD_HTML_FLAG_SKIP_UTF8_BOM);
  // Each heading md4c wrote (<h1>...</h1>) gets Docsify's id; repeated ids get "-1", "-2".
  static const RE2 config(R"((?:^|\s):([\w-]+)(?:=([\w%-]+))?)");
  std::string html, title, first_heading;
  std::map<std::string, int> seen;
  std::size_t at = 0;
  while (true) {
    auto open = body.find("<h", at);
    while (open != std::string::npos &&
           !(open + 3 < body.size() && body[open + 2] >= '1' && body[open + 2] <= '6' && body[open + 3] == '>'))
      open = body.find("<h", open + 2);
    if (open == std::string::npos) break;
    const char level = body[open + 2];
    const std::string close = std::string("</h") + level + ">";
    const auto end = body.find(close, open);
    if (end == std::string::npos) break;
    std::string inner = body.substr(open + 4, end - open - 4);
    // ":id=name" (and other ":option" words Docsify reads) at the heading's end.
    std::string id;
    std::string key, value;
    re2::StringPiece rest(inner);
    std::string cleaned = inner;
    while (RE2::FindAndConsume(&rest, config, &key, &value))
      if (key == "id" && !value.empty()) id = value;
    RE2::GlobalReplace(&cleaned, config, "");
    for (const char* ignore : {"<!-- {docsify-ignore-all} -->", "<!-- {docsify-ignore} -->", "{docsify-ignore-all}", "{docsify-ignore}"})
      if (const auto p = cleaned.find(ignore); p != std::string::npos) cleaned.erase(p, std::string_view(ignore).size());
    cleaned = trim(cleaned);
    if (id.empty()) {
      id = docsify_slug(cleaned, version);
      if (const auto n = seen[id]++; n > 0) id += "-" + std::to_string(n);
    }
    const auto text = trim(without_tags(cleaned));
    if (level == '1' && title.empty()) title = text;
    if (first_heading.empty()) first_heading = text;
    html.append(body, at, open - at);
    html.append("<h").append(1, level).append(" id=\"").append(id).append("\">").append(cleaned).append(close);
    at = end + close.size();
  }
  html.append(body, at, std::string::npos);
  if (title.empty()) title = first_heading;
  if (title.empty()) title = std::string(fallback_title);
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"generator\" content=\"Docsify\"><title>" + title +
         "</title></head><body><main>" + html +
         "</main></body></html>";
}

}  // namespace siteseek::ingest_detail
