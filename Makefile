# plainsight - passive audit of cleartext mail, logins and weak TLS.
#
#   make              build ./plainsight (make install: into PREFIX/bin)
#   make test         unit tests, pcap regression and end-to-end tests
#   make bench        throughput and memory on a generated 1 GB capture
#   make SANITIZE=1   build with AddressSanitizer and UBSan
#   make format       apply .clang-format; make check-format guards it

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
CFLAGS	+= $(shell $(PKG_CONFIG) --cflags libndpi libpcap sqlite3 libcrypto)
LDLIBS	+= $(shell $(PKG_CONFIG) --libs libndpi libpcap sqlite3 libcrypto) -lm

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

.PHONY: all clean test unit pcap-test e2e bench format check-format sample \
	install

PREFIX	?= /usr/local

all: plainsight

plainsight: $(MAIN) $(LIB)
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

pcap-test: plainsight
	$(PYTHON) tests/run-pcap-tests.py --bin ./plainsight

e2e: plainsight
	sh tests/e2e.sh ./plainsight

test: unit pcap-test e2e

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

format:
	clang-format -i $(SRCS) plainsight.c $(wildcard */*.h *.h) $(UNIT_SRCS)

check-format:
	@clang-format --dry-run --Werror $(SRCS) plainsight.c \
	    $(wildcard */*.h *.h) $(UNIT_SRCS)

install: plainsight
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 plainsight $(DESTDIR)$(PREFIX)/bin/plainsight

clean:
	rm -rf build plainsight

-include $(OBJS:.o=.d) $(MAIN:.o=.d) $(UNIT_BINS:=.d)
