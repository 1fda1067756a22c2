#ifndef ZMES_CCURL_SHIM_H
#define ZMES_CCURL_SHIM_H
#include <curl/curl.h>

/* Swift cannot call C variadic functions or import function-like macros;
   these typed wrappers are the only way the Swift code sets libcurl options. */

static inline curl_version_info_data *zmes_curl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

static inline CURLcode zmes_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode zmes_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode zmes_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode zmes_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*zmes_data_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode zmes_easy_setopt_write_function(CURL *handle, zmes_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode zmes_easy_setopt_header_function(CURL *handle, zmes_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

static inline CURLcode zmes_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode zmes_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode zmes_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}
#endif
