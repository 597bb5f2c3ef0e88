// Proves that docs/errors.md and the code cannot drift apart:
// 1. the document lists every code once, each with a family and a cell per transport;
// 2. each transport's one table (HTTP status, CLI exit code, Python class) answers for every code
//    what the document says, and holds no code the document lacks (`—`: the transport never meets it);
// 3. every code the sources raise (Error("..."), RequestError("..."), Router::error("..."), ...)
//    is documented, and every documented code is raised somewhere.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "bindings/python/src/error_classes.hpp"
#include "transports/cli/exit_codes.hpp"
#include "transports/http/src/status_table.hpp"

namespace {

namespace fs = std::filesystem;

struct Row {
  std::string family, http, cli, python;
};

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t");
  const auto last = s.find_last_not_of(" \t");
  return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

std::string unquote(const std::string& cell) {  // `code` -> code
  return cell.size() >= 2 && cell.front() == '`' && cell.back() == '`' ? cell.substr(1, cell.size() - 2) : cell;
}

// The table's rows by code; a code listed twice fails the test.
std::map<std::string, Row> documented() {
  std::map<std::string, Row> rows;
  std::istringstream doc(read(fs::path(SITESEEK_SOURCE_DIR) / "docs" / "errors.md"));
  for (std::string line; std::getline(doc, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream split(line.substr(1));
    for (std::string cell; std::getline(split, cell, '|');) cells.push_back(trim(cell));
    BOOST_TEST_REQUIRE(cells.size() >= 6u, "a row with fewer than six cells: " << line);
    const std::string code = unquote(cells[0]);
    BOOST_TEST(rows.count(code) == 0u, code << " is listed twice");
    rows[code] = {cells[1], cells[3], cells[4], unquote(cells[5])};
  }
  return rows;
}

bool absent(const std::string& cell) { return cell.rfind("—", 0) == 0; }

// The codes the sources raise: the first argument of an error's constructor or a transport's
// error helper, when it is a snake_case literal (ConfigError's first argument is a key path).
std::set<std::string> raised() {
  const std::regex call(R"re(\b(\w*(?:Error|error|error_line))\((?:out, )?"([a-z]+(?:_[a-z]+)*)")re");
  std::set<std::string> codes;
  for (const char* dir : {"core", "transports", "bindings"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(SITESEEK_SOURCE_DIR) / dir)) {
      const auto ext = entry.path().extension();
      if (ext != ".cpp" && ext != ".hpp") continue;
      const std::string text = read(entry.path());
      for (std::sregex_iterator it(text.begin(), text.end(), call), end; it != end; ++it) {
        if ((*it)[1] != "ConfigError") codes.insert((*it)[2]);
      }
    }
  }
  return codes;
}

// One transport's table against the document's column: a code the column marks `—` is not in the
// table; any other code gets from the table's lookup what the column says (a code the table
// lacks gets its default: the CLI's 1 for internal_error); every code of the table is documented.
template <class Table, class Lookup>
void check_table(const char* transport, std::string Row::*column, const Table& table, Lookup lookup) {
  const auto rows = documented();
  for (const auto& [code, row] : rows) {
    const bool in_table = std::any_of(std::begin(table), std::end(table), [&](const auto& e) { return e.code == code; });
    if (absent(row.*column)) {
      BOOST_TEST(!in_table, code << " is in the " << transport << " table but documented as never met");
    } else {
      BOOST_TEST(lookup(code) == row.*column, code << ": " << transport << " gives " << lookup(code)
                                                   << ", the document says " << row.*column);
    }
  }
  for (const auto& e : table) BOOST_TEST(rows.count(std::string(e.code)) == 1u, e.code << " is not in docs/errors.md");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(error_codes)

BOOST_AUTO_TEST_CASE(every_row_is_complete) {
  const auto rows = documented();
  BOOST_TEST(rows.size() >= 20u);
  for (const auto& [code, row] : rows) {
    BOOST_TEST((row.family == "user" || row.family == "internal"), code << ": family '" << row.family << "'");
    BOOST_TEST(!row.http.empty(), code);
    BOOST_TEST(!row.cli.empty(), code);
    BOOST_TEST(!row.python.empty(), code);
  }
}

BOOST_AUTO_TEST_CASE(http_statuses) {
  check_table("HTTP", &Row::http, siteseek::http::status_table,
              [](std::string_view code) { return std::to_string(siteseek::http::status_for(code)); });
}

BOOST_AUTO_TEST_CASE(cli_exit_codes) {
  check_table("CLI", &Row::cli, siteseek::cli::exit_table,
              [](std::string_view code) { return std::to_string(siteseek::cli::exit_code_for(code)); });
}

BOOST_AUTO_TEST_CASE(python_classes) {
  check_table("Python", &Row::python, siteseek::python::error_classes,
              [](std::string_view code) { return std::string(siteseek::python::exception_class_for(code)); });
}

BOOST_AUTO_TEST_CASE(documented_codes_are_the_raised_codes) {
  const auto rows = documented();
  const auto codes = raised();
  for (const auto& code : codes) BOOST_TEST(rows.count(code) == 1u, code << " is raised but not in docs/errors.md");
  for (const auto& [code, row] : rows) BOOST_TEST(codes.count(code) == 1u, code << " is documented but nothing raises it");
}

BOOST_AUTO_TEST_SUITE_END()
