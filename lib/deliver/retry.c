/* deliver/retry.c: what an attempt's answer means, and how long to wait.
 *
 * Retried: no answer (connection refused or reset, timeout, a broken
 * stream), 408, 429 and 5xx, the failures an endpoint recovers from.
 * 410 Gone stops the delivery to the endpoint. Every other status outside
 * 2xx fails the event at once: the endpoint has refused it and will
 * refuse it again. A TLS or URL problem fails at once too: waiting does
 * not mend a certificate. */
#include <stdio.h>

#include <sodium.h>

#include "deliver/deliver-internal.h"

static int transient(CURLcode r)
{
	switch (r) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_SSL_CONNECT_ERROR:   /* also a reset during the handshake */
		return 1;
	default:
		return 0;
	}
}

enum hub_verdict hub_deliver_verdict(CURLcode result, long status, const char *curl_error,
                                     char *why, size_t whylen)
{
	if (result != CURLE_OK) {
		snprintf(why, whylen, "%s", curl_error && *curl_error ? curl_error : curl_easy_strerror(result));
		return transient(result) ? HUB_VERDICT_RETRY : HUB_VERDICT_FAIL;
	}
	snprintf(why, whylen, "HTTP %ld", status);
	if (status >= 200 && status < 300)
		return HUB_VERDICT_DELIVERED;
	if (status == 410)
		return HUB_VERDICT_GONE;
	if (status == 408 || status == 429 || status >= 500)
		return HUB_VERDICT_RETRY;
	if (status >= 300 && status < 400)
		snprintf(why, whylen, "HTTP %ld (a redirect: hub-deliver does not follow them; give the URL it "
		         "points to)", status);
	return HUB_VERDICT_FAIL;
}

long hub_deliver_backoff(long base_ms, int n)
{
	long d = base_ms > 0 ? base_ms : 1;

	for (int i = 1; i < n && d < 60000; i++)
		d *= 2;
	if (d > 60000)
		d = 60000;
	return d / 2 + (long)randombytes_uniform((uint32_t)(d / 2 + 1));
}
