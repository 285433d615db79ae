/*
 * runs in: ttp-netcheck, _ttp, no capabilities, seccomp.
 *
 * libcurl GET for netcheck; see fetch.h. Called only after the process has
 * dropped privileges and loaded its seccomp allowlist.
 */
#include "netcheck/fetch.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static size_t
fetch_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct fetch_result	*res = arg;
	size_t			 n = size * nmemb, room;

	room = FETCH_BODY_MAX - res->len;
	if (n > room)
		return 0;	/* too large: abort the transfer */
	memcpy(res->body + res->len, ptr, n);
	res->len += n;
	res->body[res->len] = '\0';
	return n;
}

int
fetch_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

int
fetch_get(const char *url, long timeout_secs, struct fetch_result *res)
{
	CURL		*c;
	CURLcode	 rc;
	char		 ebuf[CURL_ERROR_SIZE] = "";

	memset(res, 0, sizeof(*res));
	if ((c = curl_easy_init()) == NULL) {
		snprintf(res->error, sizeof(res->error), "curl_easy_init failed");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");	/* ignore *_proxy vars */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_secs);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout_secs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "ttp-netcheck/" TTP_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, res);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &res->seconds);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		snprintf(res->error, sizeof(res->error), "%s",
		    ebuf[0] != '\0' ? ebuf : curl_easy_strerror(rc));
		return -1;
	}
	if (res->status < 200 || res->status > 299) {
		snprintf(res->error, sizeof(res->error), "HTTP status %ld",
		    res->status);
		return -1;
	}
	return 0;
}
