#pragma once
// append_json in two parts, for the engine's result cache: the head (total and results) is the
// same for every repeat of a request and is kept; the tail (took_ms, relaxed) is written anew.
#include <string>

#include "siteseek/search.hpp"

namespace siteseek {

/// `{"total":N,"results":[...][,"facets":{...}][,"context":[...]]`
void append_json_head(std::string& out, const SearchResponse& response);
/// `,"took_ms":T[,"out_of_time":true][,"relaxed":true]}` (relaxed last: a node's analytics reads
/// it at the end).
void append_json_tail(std::string& out, double took_ms, bool relaxed, bool out_of_time = false);

}  // namespace siteseek
