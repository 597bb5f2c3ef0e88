# cmake -DDIR=<web dir> -DOUT=<file.cpp> -P embed_assets.cmake
# Writes the search page, the widget and the analytics dashboard into a C++ file, so the server needs no files at run time:
# each as it is and gzip-compressed (level 9), which the server sends to clients that accept it.
# The script and the stylesheet are sent without their comments (written for the source's readers,
# a third of the compressed bytes): in CSS every comment; in JavaScript a line comment only where it
# fills its line or follows code as `;  // `, `{  // ` or `}  // ` (two spaces: the source's style),
# and a block comment only where it starts one, so no string or regular expression is ever cut.
# Lines lose their indentation too (the scripts have no template literal, and no string or regular
# expression spans lines).
# file|route|content type (all are UTF-8 text)
set(assets "index.html|/|text/html" "search.html|/search.html|text/html" "widget.js|/widget.js|application/javascript"
           "widget.css|/widget.css|text/css" "analytics.html|/analytics.html|text/html"
           "analytics.js|/analytics.js|application/javascript" "analytics.css|/analytics.css|text/css")
set(code "// Generated from transports/http/web by embed_assets.cmake: do not edit.\n#include <cstddef>\n#include <string_view>\n\nnamespace siteseek::http {\nnamespace {\n")
set(table "")
set(i 0)
get_filename_component(out_dir ${OUT} DIRECTORY)
foreach(entry IN LISTS assets)
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 0 file)
  list(GET parts 1 route)
  list(GET parts 2 type)
  file(READ ${DIR}/${file} text)
  if(file MATCHES "\\.css$")
    string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" "" text "${text}")
    # The spaces after ':', ';', ',' and '{' and before '{' (no string in the stylesheets holds
    # one of these pairs: their only strings are font names, an attribute value and the " › ",
    # "# " separators).
    string(REGEX REPLACE "([:;,{]) " "\\1" text "${text}")
    string(REGEX REPLACE " {" "{" text "${text}")
  elseif(file MATCHES "\\.js$")
    string(REGEX REPLACE "^/\\*([^*]|\\*+[^*/])*\\*+/" "" text "${text}")
    string(REGEX REPLACE "\n[ \t]*/\\*([^*]|\\*+[^*/])*\\*+/" "" text "${text}")
    string(REGEX REPLACE "\n[ \t]*//[^\n]*" "" text "${text}")
    string(REGEX REPLACE "([;{}])  // [^\n]*" "\\1" text "${text}")
  endif()
  if(file MATCHES "\\.(js|css)$")
    string(REGEX REPLACE "\n[ \t]+" "\n" text "${text}")
    string(REGEX REPLACE "\n\n+" "\n" text "${text}")
    string(REGEX REPLACE "^\n+" "" text "${text}")
  endif()
  if(file MATCHES "\\.css$")  # a rule's last ';' and the line breaks next to its braces
    string(REGEX REPLACE ";(\n*)}" "\\1}" text "${text}")
    string(REGEX REPLACE "{\n" "{" text "${text}")
    string(REGEX REPLACE "\n}" "}" text "${text}")
  endif()
  set(sent ${out_dir}/web_asset${i}.sent)
  file(WRITE ${sent} "${text}")
  file(READ ${sent} hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND code "const unsigned char asset${i}[] = {${bytes}0x00};\n")
  # gzip: the header's modification time (bytes 4-7) is zeroed, so the output depends on the
  # content alone.
  set(gz ${out_dir}/web_asset${i}.gz)
  file(ARCHIVE_CREATE OUTPUT ${gz} PATHS ${sent} FORMAT raw COMPRESSION GZip COMPRESSION_LEVEL 9)
  file(READ ${gz} gzhex HEX)
  string(SUBSTRING "${gzhex}" 0 8 gzhead)
  string(SUBSTRING "${gzhex}" 16 -1 gztail)
  set(gzhex "${gzhead}00000000${gztail}")
  string(LENGTH "${gzhex}" gz_length)
  math(EXPR gzsize "${gz_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," gzbytes "${gzhex}")
  string(APPEND code "const unsigned char asset${i}_gz[] = {${gzbytes}0x00};\n")
  string(APPEND table "    {\"${route}\", \"${type}; charset=utf-8\", std::string_view(reinterpret_cast<const char*>(asset${i}), ${size}),\n"
                      "     std::string_view(reinterpret_cast<const char*>(asset${i}_gz), ${gzsize})},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND code "}  // namespace\n\nstruct WebAsset {\n  std::string_view path, content_type, body, gzip;\n};\n\n")
string(APPEND code "const WebAsset* find_web_asset(std::string_view path) {\n  static const WebAsset assets[] = {\n${table}  };\n")
string(APPEND code "  for (const auto& a : assets) {\n    if (a.path == path) return &a;\n  }\n  return nullptr;\n}\n\n}  // namespace siteseek::http\n")
file(WRITE ${OUT}.tmp "${code}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
