# hub: event-driven integration tools around Apache Kafka.
# One flat Makefile; flags and paths in config.mk. `make V=1` shows commands.
include config.mk

BUILD ?= build
TOOLS = $(patsubst cmd/%.c,%,$(wildcard cmd/hub-*.c))
LIB_SRC = $(wildcard lib/*.c lib/gen/*.c)
LIB_HDR = $(wildcard lib/*.h lib/gen/*.h)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
BINS = $(TOOLS:%=$(BUILD)/bin/%)
MAN1 = $(TOOLS:%=man/%.1)

ifeq ($(V),1)
Q =
else
Q = @
endif

.PHONY: all test check demo bench install uninstall clean deps

# Test drivers for libhub itself: every tests/*.c.
TEST_DRIVERS = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/*.c))

all: $(BINS) $(BUILD)/libhub.a $(TEST_DRIVERS)

$(BUILD)/lib/%.o: lib/%.c $(LIB_HDR) config.mk
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(HUB_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/cmd/%.o: cmd/%.c $(LIB_HDR) config.mk
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(HUB_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/libhub.a: $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(BUILD)/libhub.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(HUB_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libhub.a $(LDLIBS)

# Test drivers for libhub itself (tests/*.c), run by the bats suite.
$(BUILD)/tests/%: tests/%.c $(BUILD)/libhub.a $(LIB_HDR)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CPPFLAGS) $(HUB_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libhub.a $(LDLIBS)

# hub.pc is written at install time, for the PREFIX being installed to.
define HUB_PC
prefix=$(PREFIX)
libdir=$(LIBDIR)
includedir=$(INCLUDEDIR)

Name: hub
Description: hub event tools library (NDJSON, field paths, failure store, Kafka)
Version: $(VERSION)
Requires: $(PKGS)
Libs: -L$${libdir} -lhub -lpthread -lm
Cflags: -I$${includedir}
endef
export HUB_PC

# Installs whatever Debian packages are missing (needs root; apt-get update first).
deps:
	scripts/install-deps

test: all
	HUB_BIN=$(CURDIR)/$(BUILD)/bin scripts/run-tests

# The whole suite again, under AddressSanitizer and UndefinedBehaviorSanitizer.
check:
	$(MAKE) BUILD=build-san CFLAGS="$(SANFLAGS)" all
	HUB_BIN=$(CURDIR)/build-san/bin HUB_SANITIZE=1 scripts/run-tests

demo:
	scripts/install-deps
	$(MAKE) all
	scripts/demo

bench: all
	bench/run

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/hub \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	  $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 $(BUILD)/libhub.a $(DESTDIR)$(LIBDIR)
	install -m 644 $(LIB_HDR) $(DESTDIR)$(INCLUDEDIR)/hub
	printf '%s\n' "$$HUB_PC" > $(DESTDIR)$(PKGCONFIGDIR)/hub.pc
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1
	$(if $(wildcard man/*.5),install -m 644 $(wildcard man/*.5) $(DESTDIR)$(MANDIR)/man5)
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(MANDIR)/man7
	rm -rf $(DESTDIR)$(DATADIR)/schemas && install -d $(DESTDIR)$(DATADIR) && cp -R schemas $(DESTDIR)$(DATADIR)/schemas

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(DESTDIR)$(LIBDIR)/libhub.a $(DESTDIR)$(PKGCONFIGDIR)/hub.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/hub $(DESTDIR)$(DATADIR)
	rm -f $(TOOLS:%=$(DESTDIR)$(MANDIR)/man1/%.1) $(DESTDIR)$(MANDIR)/man7/hub.7 \
	  $(patsubst man/%,$(DESTDIR)$(MANDIR)/man5/%,$(wildcard man/*.5))

clean:
	rm -rf build build-san
