/* retail.c: the retail world of hub-gen-events, and how its events are written.
 *
 * Eight markets, their shops, customers with non-ASCII names, a jewellery
 * catalogue with prices in cents, carriers. Events are written field by
 * field into the caller's buffer with no allocation, no printf and no JSON
 * library: every string in the tables needs no escaping, and numbers are
 * formatted by hand. The shapes are those of the schemas in schemas/.
 *
 * Open orders (at most MAX_ORDERS, the oldest forgotten first) live in a
 * fixed pool, linked in the order they were created, with a dense array of
 * the open ones for a uniform random pick; customers in a ring of the last
 * MAX_CUSTOMERS. Neither grows, so the world's memory is fixed. */
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "gen/prng.h"
#include "gen/retail.h"
#include "core/time.h"

#define MAX_ORDERS 2000
#define MAX_CUSTOMERS 5000
#define MAX_ITEMS 4

struct text {
	const char *s;
	unsigned char len;
};
#define T(s) { s, sizeof(s) - 1 }
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct market {
	struct text code, currency, prefix;
	struct text cities[4];
	unsigned char ncities;
} markets[] = {
	{ T("IT"), T("EUR"), T("+39"), { T("Milano"), T("Roma"), T("Torino"), T("Napoli") }, 4 },
	{ T("DE"), T("EUR"), T("+49"), { T("Berlin"), T("München"), T("Köln"), T("Hamburg") }, 4 },
	{ T("DK"), T("DKK"), T("+45"), { T("København"), T("Aarhus"), T("Odense") }, 3 },
	{ T("GB"), T("GBP"), T("+44"), { T("London"), T("Manchester"), T("Leeds") }, 3 },
	{ T("US"), T("USD"), T("+1"), { T("New York"), T("Chicago"), T("Austin"), T("Seattle") }, 4 },
	{ T("PL"), T("PLN"), T("+48"), { T("Warszawa"), T("Kraków"), T("Łódź") }, 3 },
	{ T("JP"), T("JPY"), T("+81"), { T("東京"), T("大阪") }, 2 },
	{ T("BR"), T("BRL"), T("+55"), { T("São Paulo"), T("Rio de Janeiro") }, 2 },
};

/* Names as written, and as they appear in an e-mail address (lower case,
 * no apostrophe). */
static const struct text first_names[][2] = {
	{ T("Zoë"), T("zoë") }, { T("Anna"), T("anna") }, { T("Łukasz"), T("łukasz") },
	{ T("José"), T("josé") }, { T("Søren"), T("søren") }, { T("Marie"), T("marie") },
	{ T("Giulia"), T("giulia") }, { T("Jürgen"), T("jürgen") }, { T("Aiko"), T("aiko") },
	{ T("Olivia"), T("olivia") }, { T("Mateus"), T("mateus") }, { T("Chloé"), T("chloé") },
	{ T("Liam"), T("liam") }, { T("Sofía"), T("sofía") }, { T("Noah"), T("noah") },
	{ T("Ingrid"), T("ingrid") }, { T("Ahmed"), T("ahmed") }, { T("Yuki"), T("yuki") },
};
static const struct text last_names[][2] = {
	{ T("Müller"), T("müller") }, { T("Rossi"), T("rossi") }, { T("Nowak"), T("nowak") },
	{ T("García"), T("garcía") }, { T("Jensen"), T("jensen") }, { T("Smith"), T("smith") },
	{ T("Dubois"), T("dubois") }, { T("Silva"), T("silva") }, { T("O'Brien"), T("obrien") },
	{ T("Sato"), T("sato") }, { T("Kowalski"), T("kowalski") }, { T("Andersen"), T("andersen") },
	{ T("Bianchi"), T("bianchi") }, { T("Schäfer"), T("schäfer") }, { T("Johnson"), T("johnson") },
};
static const struct product {
	struct text sku, name;
	int cents;
} products[] = {
	{ T("CHARM-HEART"), T("Heart charm, sterling silver"), 3999 },
	{ T("BRC-MOMENTS"), T("Moments snake chain bracelet"), 6900 },
	{ T("RING-ETERNITY"), T("Eternity ring, cubic zirconia"), 8950 },
	{ T("NCK-TIMELESS"), T("Timeless pavé necklace"), 12999 },
	{ T("EAR-SPARKLE"), T("Sparkling stud earrings"), 4995 },
	{ T("CHARM-STAR"), T("Shooting star dangle charm"), 4499 },
	{ T("BRC-ROSE"), T("Rose gold-plated bangle"), 9900 },
	{ T("CLIP-INFINITY"), T("Infinity clip charm"), 2999 },
};
static const struct text carriers[] = {
	T("DHL"), T("UPS"), T("PostNord"), T("Poste Italiane"), T("Royal Mail"), T("FedEx"),
};
static const struct text reasons[] = { T("sale"), T("return"), T("count"), T("transfer"), T("damage") };
static const struct text streets[] = {
	T("Via Roma"), T("Hauptstraße"), T("Strøget"), T("High Street"), T("Main Street"),
	T("ul. Długa"), T("Rua Augusta"), T("Rue de Rivoli"),
};
static const struct text channels[] = { T("store"), T("web"), T("app") };
/* Card twice: half the orders are paid by card. */
static const struct text methods[] = { T("card"), T("card"), T("paypal"), T("giftcard") };
static const int deltas[] = { -3, -2, -1, -1, -1, 1, 2, 5, 10 };

struct address {
	unsigned char street, house, city, country;
	uint32_t postal;
};

struct customer {
	uint32_t number;
	unsigned char market, first, last;
	uint16_t email_number, phone_area;
	uint32_t phone_line;
	struct address address;
};

struct order {
	uint32_t number;
	unsigned char market, stage, nitems;
	unsigned char sku[MAX_ITEMS], quantity[MAX_ITEMS];
	int64_t total_cents;
	struct address address;
	int older, newer;   /* creation order: pool indexes, -1 at the ends */
	int live_at;        /* index in live[] */
};

struct hub_retail {
	int64_t now_ms;
	int64_t day;              /* of day_text */
	char day_text[11];        /* "2026-03-01" */
	struct customer customers[MAX_CUSTOMERS];
	int ncustomers, next_customer;
	struct order pool[MAX_ORDERS + 1];
	int free_slots[MAX_ORDERS + 1], nfree;
	int live[MAX_ORDERS + 1], nlive;
	int oldest, newest;
};

/* Output: every writer takes p, the next free byte, and returns the new end. */

static inline char *put(char *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}
#define LIT(p, s) put((p), (s), sizeof(s) - 1)

static inline char *put_text(char *p, struct text t)
{
	return put(p, t.s, t.len);
}

static inline char *put_quoted(char *p, struct text t)
{
	*p++ = '"';
	p = put(p, t.s, t.len);
	*p++ = '"';
	return p;
}

/* v in exactly width digits, zeros in front. */
static char *put_digits(char *p, uint64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

static char *put_uint(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_int(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_uint(p, (uint64_t)-v);
	}
	return put_uint(p, (uint64_t)v);
}

/* An amount in cents as a JSON number with two decimals: 119.97, 69.00. */
static char *put_cents(char *p, int64_t cents)
{
	p = put_uint(p, (uint64_t)(cents / 100));
	*p++ = '.';
	return put_digits(p, (uint64_t)(cents % 100), 2);
}

static const char hex[] = "0123456789abcdef";

/* A random version 4 UUID, quoted. */
static char *put_uuid(char *p, struct hub_prng *r)
{
	uint64_t a = hub_prng_next(r), b = hub_prng_next(r);
	char *q = p + 1;

	a = (a & ~0xf000ull) | 0x4000ull;                  /* version 4 */
	b = (b & ~(3ull << 62)) | (2ull << 62);           /* RFC 4122 variant */
	*p = '"';
	for (int i = 0; i < 16; i++) {
		if (i == 8 || i == 12)
			*q++ = '-';
		*q++ = hex[(a >> (60 - 4 * i)) & 15];
	}
	for (int i = 0; i < 16; i++) {
		if (i == 0 || i == 4)
			*q++ = '-';
		*q++ = hex[(b >> (60 - 4 * i)) & 15];
	}
	*q++ = '"';
	return q;
}

/* The clock moves 1 to 399 ms; written as "2026-03-01T08:00:00.123Z". */
static char *put_tick(char *p, struct hub_retail *w, struct hub_prng *r)
{
	int64_t day, ms;

	w->now_ms += hub_prng_range(r, 1, 400);
	day = w->now_ms >= 0 ? w->now_ms / 86400000 : -((-w->now_ms + 86399999) / 86400000);
	ms = w->now_ms - day * 86400000;
	if (day != w->day) {
		int64_t y;
		int m, d;

		hub_civil_from_days(day, &y, &m, &d);
		put_digits(w->day_text, (uint64_t)(y < 0 ? 0 : y > 9999 ? 9999 : y), 4);
		w->day_text[4] = '-';
		put_digits(w->day_text + 5, (uint64_t)m, 2);
		w->day_text[7] = '-';
		put_digits(w->day_text + 8, (uint64_t)d, 2);
		w->day = day;
	}
	*p++ = '"';
	p = put(p, w->day_text, 10);
	*p++ = 'T';
	p = put_digits(p, (uint64_t)(ms / 3600000), 2);
	*p++ = ':';
	p = put_digits(p, (uint64_t)(ms / 60000 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (uint64_t)(ms / 1000 % 60), 2);
	*p++ = '.';
	p = put_digits(p, (uint64_t)(ms % 1000), 3);
	return LIT(p, "Z\"");
}

/* What can go wrong with an event (hub_retail_defect). */
enum {
	DEFECT_TRUNCATED,
	DEFECT_NO_ID,
	DEFECT_WRONG_TYPE,
	DEFECT_NO_DATA,
	DEFECT_NOT_JSON,
	NDEFECTS,
	DEFECT_NONE = NDEFECTS,
};

/* The envelope up to and including "data": (or without it, for
 * DEFECT_NO_DATA, where the caller writes no data either). The subject is
 * written by the caller right after: the envelope ends with "subject":. */
static char *put_envelope(char *p, struct hub_retail *w, struct hub_prng *r, int defect,
                          struct text type, const char *source, size_t source_len)
{
	p = LIT(p, "{\"specversion\":\"1.0\",");
	if (defect == DEFECT_NO_ID)
		hub_prng_next(r), hub_prng_next(r);   /* the id that is missing */
	else {
		p = LIT(p, "\"id\":");
		p = put_uuid(p, r);
		*p++ = ',';
	}
	p = LIT(p, "\"source\":\"");
	p = put(p, source, source_len);
	p = LIT(p, "\",\"type\":\"com.example.retail.");
	p = put_text(p, type);
	p = LIT(p, "\",\"time\":");
	p = put_tick(p, w, r);
	return LIT(p, ",\"subject\":\"");
}

/* After the subject: the content type and, unless it is the defect, the
 * opening of "data". Returns NULL when data is to be left out. */
static char *put_data_open(char *p, int defect)
{
	p = LIT(p, "\",\"datacontenttype\":\"application/json\"");
	if (defect == DEFECT_NO_DATA)
		return p;
	return LIT(p, ",\"data\":{");
}

static char *put_market_field(char *p, unsigned char market, int defect)
{
	if (defect == DEFECT_WRONG_TYPE)
		return LIT(p, "\"market\":39");
	p = LIT(p, "\"market\":");
	return put_quoted(p, markets[market].code);
}

static char *put_store_id(char *p, unsigned char market, int64_t store)
{
	p = put_text(p, markets[market].code);
	*p++ = '-';
	return put_digits(p, (uint64_t)store, 3);
}

static char *put_address(char *p, const struct address *a)
{
	p = LIT(p, "{\"line1\":\"");
	p = put_text(p, streets[a->street]);
	*p++ = ' ';
	p = put_uint(p, a->house);
	p = LIT(p, "\",\"city\":");
	p = put_quoted(p, markets[a->country].cities[a->city]);
	p = LIT(p, ",\"postal_code\":\"");
	p = put_digits(p, a->postal, 5);
	p = LIT(p, "\",\"country\":");
	p = put_quoted(p, markets[a->country].code);
	*p++ = '}';
	return p;
}

static char *put_customer_id(char *p, const struct customer *c)
{
	p = LIT(p, "CUS-");
	return put_digits(p, c->number, 8);
}

/* The customer's fields, without braces; with_market for customer.updated. */
static char *put_customer_fields(char *p, const struct customer *c, int with_market, int defect)
{
	const struct text *first = first_names[c->first], *last = last_names[c->last];

	p = LIT(p, "\"customer_id\":\"");
	p = put_customer_id(p, c);
	p = LIT(p, "\",");
	if (with_market) {
		p = put_market_field(p, c->market, defect);
		*p++ = ',';
	}
	p = LIT(p, "\"name\":\"");
	p = put_text(p, first[0]);
	*p++ = ' ';
	p = put_text(p, last[0]);
	p = LIT(p, "\",\"email\":\"");
	p = put_text(p, first[1]);
	*p++ = '.';
	p = put_text(p, last[1]);
	p = put_uint(p, c->email_number);
	p = LIT(p, "@example.com\",\"phone\":\"");
	p = put_text(p, markets[c->market].prefix);
	*p++ = ' ';
	p = put_uint(p, c->phone_area);
	*p++ = ' ';
	p = put_uint(p, c->phone_line);
	p = LIT(p, "\",\"address\":");
	return put_address(p, &c->address);
}

/* A customer of the market: 60% of the time one already known is drawn, and
 * kept if the market matches; otherwise a new one, remembered. */
static const struct customer *customer_for(struct hub_retail *w, struct hub_prng *r, unsigned char market)
{
	struct customer *c;

	if (w->ncustomers > 0 && hub_prng_below(r, 10) < 6) {
		c = &w->customers[hub_prng_below(r, (uint64_t)w->ncustomers)];
		if (c->market == market)
			return c;
	}
	c = &w->customers[w->next_customer];
	w->next_customer = (w->next_customer + 1) % MAX_CUSTOMERS;
	if (w->ncustomers < MAX_CUSTOMERS)
		w->ncustomers++;
	c->first = (unsigned char)hub_prng_below(r, COUNT(first_names));
	c->last = (unsigned char)hub_prng_below(r, COUNT(last_names));
	c->number = (uint32_t)hub_prng_below(r, 100000000);
	c->market = market;
	c->email_number = (uint16_t)hub_prng_below(r, 1000);
	c->phone_area = (uint16_t)hub_prng_range(r, 100, 999);
	c->phone_line = (uint32_t)hub_prng_range(r, 1000000, 9999999);
	c->address.street = (unsigned char)hub_prng_below(r, COUNT(streets));
	c->address.house = (unsigned char)hub_prng_range(r, 1, 250);
	c->address.city = (unsigned char)hub_prng_below(r, markets[market].ncities);
	c->address.postal = (uint32_t)hub_prng_below(r, 100000);
	c->address.country = market;
	return c;
}

/* Open orders: the pool, its creation-order list and the live array. */

static void order_forget(struct hub_retail *w, int slot)
{
	struct order *o = &w->pool[slot];
	int last = w->live[--w->nlive];

	w->live[o->live_at] = last;
	w->pool[last].live_at = o->live_at;
	if (o->older >= 0)
		w->pool[o->older].newer = o->newer;
	else
		w->oldest = o->newer;
	if (o->newer >= 0)
		w->pool[o->newer].older = o->older;
	else
		w->newest = o->older;
	w->free_slots[w->nfree++] = slot;
}

static struct order *order_open(struct hub_retail *w)
{
	int slot = w->free_slots[--w->nfree];
	struct order *o = &w->pool[slot];

	o->live_at = w->nlive;
	w->live[w->nlive++] = slot;
	o->older = w->newest;
	o->newer = -1;
	if (w->newest >= 0)
		w->pool[w->newest].newer = slot;
	else
		w->oldest = slot;
	w->newest = slot;
	return o;
}

static char *order_created(struct hub_retail *w, struct hub_prng *r, char *p, int defect)
{
	unsigned char market = (unsigned char)hub_prng_below(r, COUNT(markets));
	const struct customer *c = customer_for(w, r, market);
	unsigned channel = (unsigned)hub_prng_below(r, COUNT(channels));
	int64_t store = hub_prng_range(r, 1, 120);
	struct order *o = order_open(w);
	char source[64], *s = source;

	o->market = market;
	o->stage = 0;
	o->nitems = (unsigned char)hub_prng_range(r, 1, MAX_ITEMS + 1);
	o->total_cents = 0;
	for (int i = 0; i < o->nitems; i++) {
		o->sku[i] = (unsigned char)hub_prng_below(r, COUNT(products));
		o->quantity[i] = (unsigned char)hub_prng_range(r, 1, 4);
		o->total_cents += (int64_t)o->quantity[i] * products[o->sku[i]].cents;
	}
	o->number = (uint32_t)hub_prng_below(r, 1000000000);
	o->address = c->address;

	if (channel == 0) {
		s = LIT(s, "/pos/");
		s = put_text(s, markets[market].code);
		*s++ = '/';
		s = put_store_id(s, market, store);
	} else {
		*s++ = '/';
		s = put_text(s, channels[channel]);
		*s++ = '/';
		s = put_text(s, markets[market].code);
	}
	p = put_envelope(p, w, r, defect, (struct text)T("order.created"), source, (size_t)(s - source));
	p = LIT(p, "ORD-");
	p = put_text(p, markets[market].code);
	*p++ = '-';
	p = put_digits(p, o->number, 9);
	p = put_data_open(p, defect);
	if (defect == DEFECT_NO_DATA) {
		hub_prng_below(r, COUNT(methods)), hub_prng_below(r, 10000);
		goto done;
	}
	p = LIT(p, "\"order_id\":\"ORD-");
	p = put_text(p, markets[market].code);
	*p++ = '-';
	p = put_digits(p, o->number, 9);
	p = LIT(p, "\",\"market\":");
	p = put_quoted(p, markets[market].code);
	p = LIT(p, ",\"channel\":");
	p = put_quoted(p, channels[channel]);
	p = LIT(p, ",\"store_id\":");
	if (channel == 0) {
		*p++ = '"';
		p = put_store_id(p, market, store);
		*p++ = '"';
	} else
		p = LIT(p, "null");
	p = LIT(p, ",\"customer\":{");
	p = put_customer_fields(p, c, 0, DEFECT_NONE);
	p = LIT(p, "},\"items\":[");
	for (int i = 0; i < o->nitems; i++) {
		const struct product *pr = &products[o->sku[i]];

		if (i)
			*p++ = ',';
		p = LIT(p, "{\"sku\":");
		p = put_quoted(p, pr->sku);
		p = LIT(p, ",\"name\":");
		p = put_quoted(p, pr->name);
		if (i == 0 && defect == DEFECT_WRONG_TYPE)
			p = LIT(p, ",\"quantity\":\"two\"");
		else {
			p = LIT(p, ",\"quantity\":");
			p = put_uint(p, o->quantity[i]);
		}
		p = LIT(p, ",\"unit_price\":");
		p = put_cents(p, pr->cents);
		*p++ = '}';
	}
	p = LIT(p, "],\"total\":{\"amount\":");
	p = put_cents(p, o->total_cents);
	p = LIT(p, ",\"currency\":");
	p = put_quoted(p, markets[market].currency);
	p = LIT(p, "},\"payment\":{\"method\":");
	p = put_quoted(p, methods[hub_prng_below(r, COUNT(methods))]);
	p = LIT(p, ",\"card_last4\":\"");
	p = put_digits(p, hub_prng_below(r, 10000), 4);
	p = LIT(p, "\"}}");
done:
	if (w->nlive > MAX_ORDERS)
		order_forget(w, w->oldest);
	*p++ = '}';
	return p;
}

/* An open order moves on: paid first, then shipped (and closed). */
static char *order_next(struct hub_retail *w, struct hub_prng *r, char *p, int defect)
{
	int slot = w->live[hub_prng_below(r, (uint64_t)w->nlive)];
	struct order *o = &w->pool[slot];
	const struct text code = markets[o->market].code;
	char source[32], *s = source;

	if (o->stage++ == 0) {
		s = LIT(s, "/payments/");
		s = put_text(s, code);
		p = put_envelope(p, w, r, defect, (struct text)T("order.paid"), source, (size_t)(s - source));
		p = LIT(p, "ORD-");
		p = put_text(p, code);
		*p++ = '-';
		p = put_digits(p, o->number, 9);
		p = put_data_open(p, defect);
		if (defect == DEFECT_NO_DATA) {
			hub_prng_below(r, 10000), hub_prng_below(r, 1000000000000ull);
			return LIT(p, "}");
		}
		p = LIT(p, "\"order_id\":\"ORD-");
		p = put_text(p, code);
		*p++ = '-';
		p = put_digits(p, o->number, 9);
		p = LIT(p, "\",");
		p = put_market_field(p, o->market, defect);
		p = LIT(p, ",\"amount\":");
		p = put_cents(p, o->total_cents);
		p = LIT(p, ",\"currency\":");
		p = put_quoted(p, markets[o->market].currency);
		p = LIT(p, ",\"payment\":{\"method\":\"card\",\"card_last4\":\"");
		p = put_digits(p, hub_prng_below(r, 10000), 4);
		p = LIT(p, "\",\"psp_reference\":\"PSP");
		p = put_digits(p, hub_prng_below(r, 1000000000000ull), 12);
		return LIT(p, "\"}}}");
	}
	s = LIT(s, "/wms/");
	s = put_text(s, code);
	p = put_envelope(p, w, r, defect, (struct text)T("shipment.dispatched"), source, (size_t)(s - source));
	p = LIT(p, "ORD-");
	p = put_text(p, code);
	*p++ = '-';
	p = put_digits(p, o->number, 9);
	p = put_data_open(p, defect);
	if (defect == DEFECT_NO_DATA) {
		hub_prng_below(r, 10000000000ull), hub_prng_below(r, COUNT(carriers));
		hub_prng_below(r, 1000000000000000000ull);
		*p++ = '}';
		goto done;
	}
	p = LIT(p, "\"shipment_id\":\"SHP-");
	p = put_digits(p, hub_prng_below(r, 10000000000ull), 10);
	p = LIT(p, "\",\"order_id\":\"ORD-");
	p = put_text(p, code);
	*p++ = '-';
	p = put_digits(p, o->number, 9);
	p = LIT(p, "\",\"market\":");
	p = put_quoted(p, code);
	p = LIT(p, ",\"carrier\":");
	p = put_quoted(p, carriers[hub_prng_below(r, COUNT(carriers))]);
	p = LIT(p, ",\"tracking_number\":\"");
	p = put_digits(p, hub_prng_below(r, 1000000000000000000ull), 18);
	p = LIT(p, "\",\"address\":");
	p = put_address(p, &o->address);
	p = LIT(p, ",\"items\":[");
	for (int i = 0; i < o->nitems; i++) {
		if (i)
			*p++ = ',';
		p = LIT(p, "{\"sku\":");
		p = put_quoted(p, products[o->sku[i]].sku);
		if (i == 0 && defect == DEFECT_WRONG_TYPE)
			p = LIT(p, ",\"quantity\":\"two\"}");
		else {
			p = LIT(p, ",\"quantity\":");
			p = put_uint(p, o->quantity[i]);
			*p++ = '}';
		}
	}
	p = LIT(p, "]}}");
done:
	order_forget(w, slot);
	return p;
}

static char *customer_updated(struct hub_retail *w, struct hub_prng *r, char *p, int defect)
{
	unsigned char market = (unsigned char)hub_prng_below(r, COUNT(markets));
	const struct customer *c = customer_for(w, r, market);
	int64_t year = hub_prng_range(r, 1950, 2006), month = hub_prng_range(r, 1, 13), day = hub_prng_range(r, 1, 29);
	int marketing = hub_prng_below(r, 2) == 0, sms = hub_prng_below(r, 10) < 3;
	char source[16], *s = source;

	s = LIT(s, "/crm/");
	s = put_text(s, markets[market].code);
	p = put_envelope(p, w, r, defect, (struct text)T("customer.updated"), source, (size_t)(s - source));
	p = put_customer_id(p, c);
	p = put_data_open(p, defect);
	if (defect == DEFECT_NO_DATA)
		return LIT(p, "}");
	p = put_customer_fields(p, c, 1, defect);
	p = LIT(p, ",\"birth_date\":\"");
	p = put_digits(p, (uint64_t)year, 4);
	*p++ = '-';
	p = put_digits(p, (uint64_t)month, 2);
	*p++ = '-';
	p = put_digits(p, (uint64_t)day, 2);
	p = LIT(p, "\",\"consents\":{\"marketing\":");
	p = marketing ? LIT(p, "true") : LIT(p, "false");
	p = LIT(p, ",\"sms\":");
	p = sms ? LIT(p, "true") : LIT(p, "false");
	return LIT(p, "}}}");
}

static char *inventory_adjusted(struct hub_retail *w, struct hub_prng *r, char *p, int defect)
{
	unsigned char market = (unsigned char)hub_prng_below(r, COUNT(markets));
	const struct product *pr = &products[hub_prng_below(r, COUNT(products))];
	int64_t store = hub_prng_range(r, 1, 120);
	int delta = deltas[hub_prng_below(r, COUNT(deltas))];
	int64_t on_hand = hub_prng_range(r, 0, 400);
	struct text reason = reasons[hub_prng_below(r, COUNT(reasons))];
	char source[16], *s = source;

	s = LIT(s, "/erp/");
	s = put_text(s, markets[market].code);
	p = put_envelope(p, w, r, defect, (struct text)T("inventory.adjusted"), source, (size_t)(s - source));
	p = put_store_id(p, market, store);
	*p++ = '/';
	p = put_text(p, pr->sku);
	p = put_data_open(p, defect);
	if (defect == DEFECT_NO_DATA)
		return LIT(p, "}");
	p = LIT(p, "\"sku\":");
	p = put_quoted(p, pr->sku);
	p = LIT(p, ",\"store_id\":\"");
	p = put_store_id(p, market, store);
	p = LIT(p, "\",\"market\":");
	p = put_quoted(p, markets[market].code);
	if (defect == DEFECT_WRONG_TYPE)
		p = LIT(p, ",\"delta\":\"-1\"");
	else {
		p = LIT(p, ",\"delta\":");
		p = put_int(p, delta);
	}
	p = LIT(p, ",\"on_hand\":");
	p = put_int(p, on_hand);
	p = LIT(p, ",\"reason\":");
	p = put_quoted(p, reason);
	return LIT(p, "}}");
}

static char *event(struct hub_retail *w, struct hub_prng *r, char *p, int defect)
{
	uint64_t x = hub_prng_below(r, 100);

	if (x < 35)
		return order_created(w, r, p, defect);
	if (x < 65 && w->nlive > 0)
		return order_next(w, r, p, defect);
	if (x < 80)
		return customer_updated(w, r, p, defect);
	return inventory_adjusted(w, r, p, defect);
}

char *hub_retail_event(struct hub_retail *w, struct hub_prng *r, char *p)
{
	return event(w, r, p, DEFECT_NONE);
}

char *hub_retail_defect(struct hub_retail *w, struct hub_prng *r, char *p)
{
	int defect = (int)hub_prng_below(r, NDEFECTS);
	char *end = event(w, r, p, defect == DEFECT_NOT_JSON ? DEFECT_NONE : defect);
	size_t cut;

	switch (defect) {
	case DEFECT_TRUNCATED:
		/* Cut somewhere inside, at a character boundary, as a sender
		 * that died mid-write leaves it: the line is still UTF-8. */
		cut = (size_t)hub_prng_range(r, 1, (int64_t)(end - p) - 1);
		while (cut > 1 && ((unsigned char)p[cut] & 0xc0) == 0x80)
			cut--;
		return p + cut;
	case DEFECT_NOT_JSON:
		end = LIT(p, "ERROR 500 upstream said: ");
		end = put_uuid(end, r);
		/* the UUID without its quotes */
		memmove(end - 38, end - 37, 36);
		return end - 2;
	default:
		return end;
	}
}

struct hub_retail *hub_retail_new(int64_t start_ms)
{
	struct hub_retail *w = hub_xcalloc(1, sizeof(*w));

	w->now_ms = start_ms;
	w->day = INT64_MIN;
	w->oldest = w->newest = -1;
	for (int i = 0; i <= MAX_ORDERS; i++)
		w->free_slots[w->nfree++] = MAX_ORDERS - i;
	return w;
}

void hub_retail_free(struct hub_retail *w)
{
	free(w);
}
