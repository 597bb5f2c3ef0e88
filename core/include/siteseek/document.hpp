#pragma once
// The unit siteseek indexes and returns: a page record, or one record per section of a page.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace siteseek {

/// Whether a document is a whole page or one section of it.
enum class DocumentType : std::uint8_t { page, section };

/// A name/value pair a record can be filtered and faceted on ("version" = "3.12"). A record
/// may carry several values of one name.
struct Attribute {
  std::string name;
  std::string value;
  bool operator==(const Attribute&) const = default;
  auto operator<=>(const Attribute&) const = default;
};

/// One searchable record. Sections carry the page URL plus "#anchor".
struct Document {
  std::string id;                      ///< stable id, unique within a site (usually the url)
  std::string url;                     ///< absolute URL; sections end in #anchor
  std::string title;                   ///< page title, site suffix removed
  std::string section_title;           ///< heading of the section; empty for pages
  std::vector<std::string> hierarchy;  ///< breadcrumb: ancestor titles, outermost first
  std::string body;                    ///< visible text, whitespace collapsed
  /// Ids of the definitions inside the record (`<dt id="dict.get">` of API references): not
  /// shown, searched with the URL, so a qualified name finds the record that defines it.
  std::vector<std::string> anchors;
  DocumentType type = DocumentType::page;
  std::string section_key;             ///< first URL path segment under the site root
  std::uint32_t position = 0;          ///< order of the section within its page (0 for pages)
  float boost = 1.0f;                  ///< multiplies the document's score
  /// How many other pages of the site link to this record's page from their main content (set
  /// by ingestion; boosts.inbound_links ranks well-cited pages higher).
  std::uint32_t inbound_links = 0;
  std::uint64_t content_hash = 0;      ///< hash of the indexed fields, to spot unchanged records
  /// Filterable attributes (docs/filters.md), besides the built-in `type` and `area` the index
  /// adds. Set by ingestion from the settings' URL rules and the page's own declarations.
  std::vector<Attribute> attributes;

  bool operator==(const Document&) const = default;
};

/// Whether `name` can name an attribute: 1 to 64 bytes of a-z, 0-9, _ and -.
bool valid_attribute_name(std::string_view name);

/// `attributes` as a record keeps them (docs/filters.md): values trimmed of white space, sorted by
/// (name, value), each pair once. Returns why they cannot be kept, "" when they can: a name
/// valid_attribute_name refuses, an empty value or one over 128 bytes, more than 32 values.
std::string normalize_attributes(std::vector<Attribute>& attributes);

/// normalize_attributes for every document given to an index (whoever built them); throws
/// RequestError "invalid_document" naming the first that cannot be kept, and why.
void normalize_documents(std::vector<Document>& documents);

/// The page a URL is on: the URL without its #fragment. A fragment that is a route ("#/guide",
/// "#!/guide": a hash router's, as a Docsify site's) is part of the page, whose own anchors are
/// then its query's `id` ("#/guide?id=install").
inline std::string_view page_of(std::string_view url) {
  const auto hash = url.find('#');
  if (hash == std::string_view::npos) return url;
  const auto route = url.substr(hash + 1);
  if (route.starts_with('/') || route.starts_with("!/")) return url.substr(0, std::min(url.find('?', hash), url.size()));
  return url.substr(0, hash);
}

/// The URL of the anchor `id` on page `page`: page#id, or page?id=id when the page is a route.
inline std::string anchored_url(std::string_view page, std::string_view id) {
  const bool route = page.find('#') != std::string_view::npos;
  return std::string(page).append(route ? "?id=" : "#").append(id);
}

/// The page URL of a document: its url without the #fragment.
inline std::string page_url(const Document& d) { return std::string(page_of(d.url)); }

}  // namespace siteseek
