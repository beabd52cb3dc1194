# Makefile: builds the profiler, its tools, the checker and the exercises.
#
#   make deps      install what is missing (Debian 12, as root)
#   make           build everything into build/
#   make taskN     deps + build + run exercise N under the profiler + report
#   make test      the whole suite (unit, end-to-end, interop, checker)
#   make bench     overhead and accuracy against gperftools (docs/PERFORMANCE.md)
#
# Everything built goes to build/; nothing is written into the source tree
# except tasks/taskNN/out/ (a run's artifacts, git-ignored).

CC       ?= cc
BUILD    := build
WARN     := -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c17 $(WARN) $(CFLAGS) -fPIC -D_GNU_SOURCE -pthread \
             -Iprofiler/include -I$(BUILD)/gen
DEPFLAGS  = -MMD -MP
LIBS_MODEL   := -lprotobuf-c -lz -lpcre2-8 -lm
LIBS_RUNTIME := -lunwind -ldl -lrt -pthread

GEN      := $(BUILD)/gen/profile.pb-c.c $(BUILD)/gen/profile.pb-c.h

MODEL_SRC   := $(wildcard profiler/model/*.c)
RUNTIME_SRC := $(wildcard profiler/runtime/*.c)
HARNESS_SRC := $(wildcard profiler/harness/*.c)
CPUPROF_SRC := $(wildcard profiler/tools/cpuprof/*.c)
BSTAT_SRC   := $(wildcard profiler/tools/benchstat/*.c)
# benchstat's reader and statistics, also linked into the checker
BSTAT_LIB_SRC := $(filter %/benchfmt.c %/collect.c %/stats.c %/units.c,$(BSTAT_SRC))
CHECKER_SRC := $(wildcard checker/*.c)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBPROFILE   := $(BUILD)/lib/libprofile.a
LIBCPUPROF_A := $(BUILD)/lib/libcpuprof.a
LIBCPUPROF   := $(BUILD)/lib/libcpuprof.so
LIBBENCH     := $(BUILD)/lib/libbench.a
CPUPROF      := $(BUILD)/bin/cpuprof
LIBBENCHSTAT := $(BUILD)/lib/libbenchstat.a
BENCHSTAT    := $(BUILD)/bin/benchstat
CHECKER      := $(BUILD)/bin/checker
UNIT_BINS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all tools deps test bench clean
all: tools

tools: $(LIBPROFILE) $(LIBCPUPROF_A) $(LIBCPUPROF) $(LIBBENCH) $(LIBBENCHSTAT) $(CPUPROF) $(BENCHSTAT) $(CHECKER)

$(BUILD)/gen/profile.pb-c.c $(BUILD)/gen/profile.pb-c.h &: profiler/proto/profile.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen --proto_path=profiler/proto $<

$(BUILD)/obj/gen/profile.pb-c.o: $(BUILD)/gen/profile.pb-c.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-unused-parameter -c $< -o $@

$(BUILD)/obj/%.o: %.c $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LIBPROFILE): $(call obj,$(MODEL_SRC)) $(BUILD)/obj/gen/profile.pb-c.o
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBCPUPROF_A): $(call obj,$(RUNTIME_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The shared library carries the model inside it, with the model's symbols
# hidden, so an LD_PRELOADed copy never interposes on the program's names.
$(LIBCPUPROF): $(call obj,$(RUNTIME_SRC)) $(LIBPROFILE)
	@mkdir -p $(dir $@)
	$(CC) -shared -o $@ $(call obj,$(RUNTIME_SRC)) -Wl,--exclude-libs,ALL $(LIBPROFILE) \
	  $(LIBS_RUNTIME) $(LIBS_MODEL)

$(LIBBENCH): $(call obj,$(HARNESS_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(CPUPROF): $(call obj,$(CPUPROF_SRC)) $(LIBPROFILE)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LIBS_MODEL)

$(LIBBENCHSTAT): $(call obj,$(BSTAT_LIB_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BENCHSTAT): $(call obj,$(filter-out $(BSTAT_LIB_SRC),$(BSTAT_SRC))) $(LIBBENCHSTAT)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ -lm

$(call obj,$(CHECKER_SRC)): ALL_CFLAGS += -Iprofiler/tools/benchstat
$(CHECKER): $(call obj,$(CHECKER_SRC)) $(LIBPROFILE) $(LIBBENCHSTAT)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LIBS_MODEL)

# Unit tests: one Check program per tests/unit/test_*.c, linked with all
# libraries (static), so a test may exercise any part.
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBCPUPROF_A) $(LIBBENCH) $(LIBPROFILE)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $< $(LIBBENCH) $(LIBCPUPROF_A) $(LIBPROFILE) $$(pkg-config --libs check) \
	  $(LIBS_RUNTIME) $(LIBS_MODEL)

unit-bins: $(UNIT_BINS)
.PHONY: unit-bins

test: tools unit-bins
	tests/run

clean:
	rm -rf $(BUILD)

-include tasks/tasks.mk
-include profiler/bench/bench.mk
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
