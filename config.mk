# hub build configuration: paths and flags. Included by the Makefile.
VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/hub
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# systemd's units (systemd/): Debian's place for a package's is /lib/systemd/system
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system

PKGS = rdkafka jansson libsodium avro-c libzstd libpcre2-8 libmicrohttpd gnutls libcurl

CC ?= cc
CFLAGS ?= -O2 -g
# Always on, whatever CFLAGS the command line gives (make check does).
HUB_CFLAGS = -std=c11 -pthread -Wall -Wextra -Wshadow -Wno-unused-parameter
CPPFLAGS += -D_DEFAULT_SOURCE -D_GNU_SOURCE -Ilib -DHUB_VERSION=\"$(VERSION)\" -DHUB_DATADIR=\"$(DATADIR)\" $(shell pkg-config --cflags $(PKGS))
LDLIBS += $(shell pkg-config --libs $(PKGS)) -lpthread -lm

# make check: the test suite under AddressSanitizer + UndefinedBehaviorSanitizer
SANFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
