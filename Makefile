# plainsight - passive audit of cleartext mail, logins and weak TLS.
#
#   make              build ./plainsight (make install: into PREFIX/bin)
#   make test         unit tests, pcap regression and end-to-end tests
#   make bench        throughput and memory on a generated 1 GB capture
#   make bench-resources  peak memory under floods and oversized input
#   make bench-db     the views and the report on a generated month of data
#   make SANITIZE=1   build with AddressSanitizer and UBSan (make
#                     SANITIZE=1 test runs the whole suite so)
#   make format       apply .clang-format; make check-format guards it
#   make lint         cppcheck and clang-tidy, warnings are errors
#   make fuzz         libFuzzer targets in build/fuzz (clang)
#   make fuzz-smoke   each target FUZZ_SECONDS (30) on its seeds, after
#                     replaying tests/fuzz/regressions

VERSION	:= 0.1.0

CC	?= cc
PKG_CONFIG ?= pkg-config
PYTHON	?= python3

WARN	= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	  -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wformat=2 \
	  -Wvla
OPT	?= -O2 -g
CFLAGS	?= $(OPT)
CFLAGS	+= -std=c11 -D_GNU_SOURCE -fstack-protector-strong $(WARN) \
	   -DPLAINSIGHT_VERSION='"$(VERSION)"' -I. -MMD -MP
PKGS	:= libndpi libpcap sqlite3 libcrypto
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
CFLAGS	+= $(PKG_CFLAGS)
LDLIBS	+= $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm

# Quiet by default; make V=1 shows every command.
ifeq ($(V),1)
Q	=
else
Q	= @
endif

ifeq ($(SANITIZE),1)
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
BUILD	?= build/sanitize
# Leaks are errors too.  The test scripts add log_path, so that a report is
# a failure whatever the exit status of the run that wrote it.
export ASAN_OPTIONS ?= detect_leaks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
endif
BUILD	?= build/release

# Every module but the entry point goes into a static library that the unit
# tests and fuzz targets link against.
SRCS	:= $(wildcard capture/*.c analyzers/*.c storage/*.c report/*.c) \
	   engine.c hll.c inventory.c log.c mem.c netset.c util.c
OBJS	:= $(SRCS:%.c=$(BUILD)/%.o)
LIB	:= $(BUILD)/libplainsight.a
MAIN	:= $(BUILD)/plainsight.o

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all clean test unit pcap-test e2e report-test bench bench-db bench-resources format check-format sample \
	install lint lint-cppcheck lint-tidy fuzz fuzz-smoke FORCE

PREFIX	?= /usr/local

all: plainsight

# ./plainsight is a copy of the last flavour built (release or sanitize), so
# that switching SANITIZE never leaves the other one in place; it is
# renamed into place, so that a copy still running is not in the way.
plainsight: $(BUILD)/plainsight FORCE
	$(Q)cmp -s $(BUILD)/plainsight $@ || \
	    { cp $(BUILD)/plainsight $@.tmp && mv -f $@.tmp $@; }

$(BUILD)/plainsight: $(MAIN) $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(MAIN) $(LIB) $(LDLIBS)

$(LIB): $(OBJS)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

# The suites run the flavour's own binary: ./plainsight is whichever
# flavour was built last, maybe by another make running meanwhile.
pcap-test: plainsight
	$(PYTHON) tests/run-pcap-tests.py --bin $(BUILD)/plainsight

e2e: plainsight
	sh tests/e2e.sh $(BUILD)/plainsight

report-test: plainsight
	$(PYTHON) tests/report/run-report-tests.py --bin $(BUILD)/plainsight

test: unit pcap-test e2e report-test

# The main job on the bundled sample: capture, then report.
sample: plainsight
	rm -f sample.db sample.db-wal sample.db-shm
	./plainsight capture -r samples/mail-night.pcap -d sample.db
	./plainsight report -d sample.db

build/bench/readloop: bench/readloop.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LDLIBS)

bench: plainsight build/bench/readloop
	$(PYTHON) bench/run.py

# The views and the report on a generated month of a busy sensor.
bench-db: plainsight
	$(PYTHON) bench/db-month.py --bin ./plainsight

# Peak memory under hostile traffic (floods, endless lines, huge lengths).
bench-resources: plainsight
	$(PYTHON) bench/resources.py

FORMAT_SRCS = $(SRCS) plainsight.c $(wildcard */*.h *.h) $(UNIT_SRCS) \
	$(FUZZ_SRCS) $(wildcard tests/fuzz/*.h)

format:
	clang-format -i $(FORMAT_SRCS)

check-format:
	@clang-format --dry-run --Werror $(FORMAT_SRCS)

# Static analysis: configuration in .clang-tidy and tools/cppcheck/, with
# the reason for each check that is off.  Library headers are system
# headers to both tools: their findings are not ours.
CPPCHECK	?= cppcheck
CLANG_TIDY	?= clang-tidy
LINT_JOBS	?= $(shell nproc 2>/dev/null || echo 2)
LINT_SRCS	= $(SRCS) plainsight.c
LINT_DEFS	= -std=c11 -D_GNU_SOURCE -DPLAINSIGHT_VERSION=\"$(VERSION)\" \
	-I. $(patsubst -I%,-isystem %,$(PKG_CFLAGS))

lint: lint-cppcheck lint-tidy

lint-cppcheck:
	@echo "  CPPCHECK"
	$(Q)$(CPPCHECK) --quiet --error-exitcode=1 --std=c11 \
	    --enable=warning,style,performance,portability --inline-suppr \
	    --suppressions-list=tools/cppcheck/suppressions.txt \
	    --library=posix --library=tools/cppcheck/plainsight.cfg \
	    -j $(LINT_JOBS) -D_GNU_SOURCE -D__GNUC__ -I. $(LINT_SRCS)

# One file per clang-tidy: clang-tidy 14 carries the analyzer's state from
# one file to the next, and then calls every va_list passed on after
# va_start() uninitialized (valist.Uninitialized, LLVM bug 41311).
lint-tidy:
	@echo "  TIDY"
	$(Q)printf '%s\n' $(LINT_SRCS) | xargs -P $(LINT_JOBS) -n 1 \
	    sh -c '$(CLANG_TIDY) --quiet "$$@" -- $(LINT_DEFS) 2>/dev/null' \
	    clang-tidy

# Fuzzing (clang, libFuzzer, ASan and UBSan).  The modules are built again
# in build/fuzz with coverage instrumentation; each tests/fuzz/fuzz_NAME.c
# links them into build/fuzz/fuzz_NAME.  fuzz-smoke replays
# tests/fuzz/regressions/NAME/ and fuzzes from seeds that
# tests/fuzz/make-seeds.py cuts out of the regression captures, for
# FUZZ_SECONDS, failing on any crash, leak or input slower than
# FUZZ_TIMEOUT seconds; make -j2 fuzz-smoke runs two at a time.
FUZZ_CC		?= clang
FUZZ_BUILD	:= build/fuzz
FUZZ_SECONDS	?= 30
FUZZ_TIMEOUT	?= 10
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_CFLAGS	= -g -O1 -std=c11 -D_GNU_SOURCE $(WARN) -I. -MMD -MP \
	-DPLAINSIGHT_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(FUZZ_SAN)
FUZZ_OBJS	:= $(SRCS:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_LIB	:= $(FUZZ_BUILD)/libplainsight.a
FUZZ_SRCS	:= $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES	:= $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_BINS	:= $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)

fuzz: $(FUZZ_BINS)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_OBJS)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_LIB) $(FUZZ_LDFLAGS) $(LDLIBS)

# One nDPI set-up per process (see the comment in fuzz_capfile.c).
$(FUZZ_BUILD)/fuzz_capfile: \
    FUZZ_LDFLAGS = -Wl,--wrap=classify_new,--wrap=classify_free

fuzz-smoke: $(FUZZ_NAMES:%=fuzz-smoke-%)

$(FUZZ_BUILD)/seeds/.done: tests/fuzz/make-seeds.py $(wildcard tests/pcap/*/*.pcap*)
	@rm -rf $(@D)
	$(Q)$(PYTHON) tests/fuzz/make-seeds.py $(@D)
	@touch $@

fuzz-smoke-%: $(FUZZ_BUILD)/fuzz_% $(FUZZ_BUILD)/seeds/.done
	$(Q)sh tests/fuzz/smoke.sh $* $(FUZZ_BUILD)/fuzz_$* $(FUZZ_SECONDS) \
	    $(FUZZ_TIMEOUT)

install: plainsight
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 plainsight $(DESTDIR)$(PREFIX)/bin/plainsight

clean:
	rm -rf build plainsight

FORCE:

-include $(OBJS:.o=.d) $(MAIN:.o=.d) $(UNIT_BINS:=.d) $(FUZZ_OBJS:.o=.d) \
	$(FUZZ_BINS:=.d)
