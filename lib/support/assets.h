/* support/assets.h: the files of the support page, built into the binary.
 *
 * web/support/ (the page's HTML, JavaScript and style sheet) and the API's
 * OpenAPI file are turned into C arrays at build time by
 * scripts/embed-files (xxd -i), so the page is served with no file
 * installed beside the tool and nothing fetched from elsewhere. */
#ifndef HUB_SUPPORT_ASSETS_H
#define HUB_SUPPORT_ASSETS_H

#include <stddef.h>

struct hub_asset {
	const char *path;              /* "/index.html" */
	const char *content_type;
	const unsigned char *data;
	size_t len;
};

/* Ended by an entry whose path is NULL. */
extern const struct hub_asset hub_assets[];

#endif
