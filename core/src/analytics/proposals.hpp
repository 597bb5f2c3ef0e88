#pragma once
// Suggested fixes (siteseek/analytics.hpp's Proposal): what report.cpp found in the log becomes
// proposals here, without those the site's rules already do.
#include <vector>

#include "siteseek/analytics.hpp"

namespace siteseek::detail {

/// Drop the candidates that `rules` already do or that are no valid rule, give the others their
/// note and reason, order them by weight (ties by site, kind, query, target) and keep the first
/// report_list_limit. The rules of each site are indexed once, only when a candidate names it.
void finish_proposals(std::vector<Proposal>& candidates, const RulesBySite& rules, const ReportRequest& request);

}  // namespace siteseek::detail
