# hub: event-driven integration tools around Apache Kafka.
# One flat Makefile; flags and paths in config.mk. `make V=1` shows commands.
include config.mk

BUILD ?= build
TOOLS = $(patsubst cmd/%.c,%,$(wildcard cmd/hub-*.c))
# lib/ is one folder per subsystem (README, Layout); *-internal.h headers
# are for lib/ itself and are not installed.
LIB_SRC = $(wildcard lib/*/*.c)
LIB_HDR = $(wildcard lib/*/*.h)
PUB_HDR = $(filter-out %-internal.h,$(LIB_HDR))
LIB_DIRS = $(sort $(patsubst lib/%/,%,$(dir $(LIB_SRC) $(LIB_HDR))))
# The support page's files (web/support/) and its API's OpenAPI file are
# built into libhub as C arrays (support/assets.h) by scripts/embed-files.
ASSETS = $(sort $(wildcard web/support/*)) doc/archive-api.yaml
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/assets.o
BINS = $(TOOLS:%=$(BUILD)/bin/%)
# systemd units and timers (systemd/), @BINDIR@ replaced at install
UNITS = $(wildcard systemd/*.service systemd/*.timer)
MAN1 = $(TOOLS:%=man/%.1)

ifeq ($(V),1)
Q =
else
Q = @
endif

.PHONY: all test check demo bench install uninstall clean deps test-kafka bench-kafka fuzz fuzz-build

# Test drivers for libhub itself: every tests/helper/*.c (git's t/helper/).
TEST_DRIVERS = $(patsubst tests/helper/%.c,$(BUILD)/tests/helper/%,$(wildcard tests/helper/*.c))

# The libFuzzer harnesses (tests/fuzz/*.c but the shared common.c and
# replay.c): in the normal build each is linked with replay.c, a main that
# runs the regression inputs of tests/fuzz/regress/ (tests/fuzz.bats).
FUZZ_HARNESSES = $(filter-out common replay,$(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/*.c)))
FUZZ_REPLAYS = $(FUZZ_HARNESSES:%=$(BUILD)/tests/fuzz/%-replay)

all: $(BINS) $(BUILD)/libhub.a $(TEST_DRIVERS) $(FUZZ_REPLAYS)

$(BUILD)/lib/%.o: lib/%.c $(LIB_HDR) config.mk
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(HUB_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/cmd/%.o: cmd/%.c $(LIB_HDR) config.mk
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(HUB_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/gen/assets.c: $(ASSETS) scripts/embed-files
	@mkdir -p $(@D)
	@$(if $(Q),echo "  EMBED   $@")
	$(Q)scripts/embed-files $(ASSETS) >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/assets.o: $(BUILD)/gen/assets.c lib/support/assets.h config.mk
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(HUB_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/libhub.a: $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(BUILD)/libhub.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(HUB_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libhub.a $(LDLIBS)

# Test drivers for libhub itself (tests/helper/*.c), run by the bats suite.
$(BUILD)/tests/helper/%: tests/helper/%.c $(BUILD)/libhub.a $(LIB_HDR)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CPPFLAGS) $(HUB_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libhub.a $(LDLIBS)

$(BUILD)/tests/fuzz/%-replay: tests/fuzz/%.c tests/fuzz/common.c tests/fuzz/replay.c tests/fuzz/fuzz.h \
  $(BUILD)/libhub.a $(LIB_HDR)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CPPFLAGS) -DFUZZ_SCHEMAS=\"$(CURDIR)/schemas\" $(HUB_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
	  $< tests/fuzz/common.c tests/fuzz/replay.c $(BUILD)/libhub.a $(LDLIBS)

# make fuzz: libhub built again by clang with the fuzzer's coverage and
# ASan + UBSan (FUZZ_BUILD), each harness linked with libFuzzer, then
# tests/fuzz/run fuzzes each for FUZZ_SECONDS and ends with "N passed, N
# failed". New inputs go to FUZZ_BUILD/corpus/, crashes to FUZZ_BUILD/crashes/.
FUZZ_BUILD ?= build-fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_BINS = $(FUZZ_HARNESSES:%=$(FUZZ_BUILD)/fuzz/%)

fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" \
	  $(FUZZ_BUILD)/libhub.a
	$(MAKE) $(FUZZ_BINS)

$(FUZZ_BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/common.c tests/fuzz/fuzz.h $(FUZZ_BUILD)/libhub.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(CPPFLAGS) -DFUZZ_SCHEMAS=\"$(CURDIR)/schemas\" $(HUB_CFLAGS) $(FUZZ_FLAGS) \
	  -fsanitize=fuzzer -o $@ $< tests/fuzz/common.c $(FUZZ_BUILD)/libhub.a $(LDLIBS)

fuzz: fuzz-build
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run $(FUZZ_HARNESSES)

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
Cflags: -I$${includedir} -I$${includedir}/hub
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

# The suite against a real Apache Kafka cluster (3 brokers on 127.0.0.1,
# started and stopped by tests/kafka/run with scripts/kafka).
test-kafka: all
	HUB_BIN=$(CURDIR)/$(BUILD)/bin tests/kafka/run

demo:
	scripts/install-deps
	$(MAKE) all
	scripts/demo

bench: all
	bench/run

# hub-produce and hub-consume against kcat on a real 3-broker cluster.
bench-kafka: all
	HUB_BIN=$(CURDIR)/$(BUILD)/bin bench/kafka-cluster

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/hub \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	  $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 $(BUILD)/libhub.a $(DESTDIR)$(LIBDIR)
	for d in $(LIB_DIRS); do install -d $(DESTDIR)$(INCLUDEDIR)/hub/$$d; done
	for h in $(PUB_HDR:lib/%=%); do install -m 644 lib/$$h $(DESTDIR)$(INCLUDEDIR)/hub/$$h; done
	printf '%s\n' "$$HUB_PC" > $(DESTDIR)$(PKGCONFIGDIR)/hub.pc
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1
	$(if $(wildcard man/*.5),install -m 644 $(wildcard man/*.5) $(DESTDIR)$(MANDIR)/man5)
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(MANDIR)/man7
	rm -rf $(DESTDIR)$(DATADIR)/schemas && install -d $(DESTDIR)$(DATADIR) && cp -R schemas $(DESTDIR)$(DATADIR)/schemas
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(DATADIR)/systemd
	for u in $(UNITS); do \
	  sed -e 's|@BINDIR@|$(BINDIR)|g' $$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$${u#systemd/} && \
	  chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${u#systemd/} || exit 1; done
	install -m 644 $(wildcard systemd/*.example) $(DESTDIR)$(DATADIR)/systemd

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(DESTDIR)$(LIBDIR)/libhub.a $(DESTDIR)$(PKGCONFIGDIR)/hub.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/hub $(DESTDIR)$(DATADIR)
	rm -f $(UNITS:systemd/%=$(DESTDIR)$(SYSTEMDUNITDIR)/%)
	rm -f $(TOOLS:%=$(DESTDIR)$(MANDIR)/man1/%.1) $(DESTDIR)$(MANDIR)/man7/hub.7 \
	  $(patsubst man/%,$(DESTDIR)$(MANDIR)/man5/%,$(wildcard man/*.5))

clean:
	rm -rf build build-san build-fuzz
