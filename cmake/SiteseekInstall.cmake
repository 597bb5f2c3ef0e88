# cmake --install: headers, the library, and a package config so that an outside project can
# find_package(siteseek) and link siteseek::core (see examples/embed).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The Redis layer's headers (the store, the job queue, RediSearch) only with the Redis modules.
set(SITESEEK_REDIS_HEADERS redis.hpp redis_jobs.hpp redisearch.hpp redis_store.hpp)
set(SITESEEK_HEADER_EXCLUDES)
if(NOT SITESEEK_WITH_REDIS)
  foreach(h IN LISTS SITESEEK_REDIS_HEADERS)
    list(APPEND SITESEEK_HEADER_EXCLUDES PATTERN ${h} EXCLUDE)
  endforeach()
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/include/siteseek DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  ${SITESEEK_HEADER_EXCLUDES})
install(FILES ${PROJECT_BINARY_DIR}/core/include/siteseek/version.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/siteseek)
install(TARGETS siteseek_core EXPORT siteseekTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
set(SITESEEK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/siteseek)
install(EXPORT siteseekTargets NAMESPACE siteseek:: DESTINATION ${SITESEEK_CMAKE_DIR})

get_property(SITESEEK_PRIVATE_LIBS GLOBAL PROPERTY SITESEEK_CORE_PRIVATE_LIBS)
list(REMOVE_DUPLICATES SITESEEK_PRIVATE_LIBS)
set(SITESEEK_INSTALLED_SHARED ${SITESEEK_SHARED})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/siteseekConfig.cmake.in
  ${PROJECT_BINARY_DIR}/siteseekConfig.cmake INSTALL_DESTINATION ${SITESEEK_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/siteseekConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/siteseekConfig.cmake ${PROJECT_BINARY_DIR}/siteseekConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/SiteseekDependencies.cmake DESTINATION ${SITESEEK_CMAKE_DIR})
