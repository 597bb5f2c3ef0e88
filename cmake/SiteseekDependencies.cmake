# Every third-party library siteseek's library and programs use, found once. Debian 12 packages;
# see docs/architecture.md for why each one is here. The same calls run again in
# siteseekConfig.cmake for library users, so nothing only the tests need belongs here (Boost.Test
# is found in tests/CMakeLists.txt).
find_package(Boost 1.81 REQUIRED COMPONENTS json url)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(gumbo REQUIRED IMPORTED_TARGET gumbo)
pkg_check_modules(utf8proc REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(re2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(libcurl REQUIRED IMPORTED_TARGET libcurl)
find_package(ZLIB REQUIRED)
# md4c (its HTML renderer): the Markdown pages of sites a script renders in the browser (Docsify).
pkg_check_modules(md4c_html REQUIRED IMPORTED_TARGET md4c-html)
# zstd (with a dictionary trained on the site's own text): a large index's bodies are stored
# compressed in small blocks (Index::Data::compress_bodies).
pkg_check_modules(libzstd REQUIRED IMPORTED_TARGET libzstd)
# expat: sitemaps, read as a stream with a real XML parser (CDATA, comments, references).
pkg_check_modules(expat REQUIRED IMPORTED_TARGET expat)
# ICU's dictionary-based word break iterator segments Chinese and Japanese text (the analysis
# module only). BreakIterator is in the common library (icuuc), which loads the dictionaries
# from icudata; nothing of i18n is used.
find_package(ICU 72 REQUIRED COMPONENTS uc)
if(SITESEEK_IO_URING)
  pkg_check_modules(liburing REQUIRED IMPORTED_TARGET liburing)
endif()
# OpenSSL: HMAC-SHA256, random bytes and constant-time compares for API keys and scoped tokens
# (the auth module), rediss:// (hiredis 0.14 has no TLS of its own) and the HTTP server's HTTPS.
find_package(OpenSSL REQUIRED)
if(SITESEEK_WITH_REDIS)
  pkg_check_modules(hiredis REQUIRED IMPORTED_TARGET hiredis)
endif()
# libstemmer ships no pkg-config file.
find_path(STEMMER_INCLUDE_DIR libstemmer.h REQUIRED)
find_library(STEMMER_LIBRARY stemmer REQUIRED)
if(NOT TARGET siteseek_stemmer)
  add_library(siteseek_stemmer INTERFACE IMPORTED)
  target_include_directories(siteseek_stemmer INTERFACE ${STEMMER_INCLUDE_DIR})
  target_link_libraries(siteseek_stemmer INTERFACE ${STEMMER_LIBRARY})
endif()
