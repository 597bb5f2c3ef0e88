#pragma once
// Everything a program embedding siteseek needs: #include <siteseek/siteseek.hpp>.
#include "siteseek/analysis.hpp"
#include "siteseek/document.hpp"
#include "siteseek/engine.hpp"
#include "siteseek/error.hpp"
#include "siteseek/ingest.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"
#include "siteseek/version.hpp"
