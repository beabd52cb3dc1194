# profiler/bench/bench.mk: `make bench`, libcpuprof measured against
# gperftools' libprofiler (overhead, accuracy, threads, sampling rate).
# Included by the top Makefile; results go to build/bench/, the numbers and
# their meaning are in docs/PERFORMANCE.md.
#
#   make bench                          the full run (3 to 4 minutes when idle)
#   make bench BENCH_FLAGS=-reps=12     more overhead rounds
#   make bench BENCH_FLAGS=-only=rate   one experiment
#
# The workloads (work_*.c) are separate programs, profiled from outside
# with LD_PRELOAD like any user program; every other .c here is part of
# the driver, profbench.

BENCH_DIR   := $(BUILD)/bench
BENCH_BIN   := $(BENCH_DIR)/bin
BENCH_WORK  := $(addprefix $(BENCH_BIN)/,work_spin work_split3 work_threads work_onoff)
BENCH_SRC   := $(filter-out profiler/bench/work_%.c,$(wildcard profiler/bench/*.c))
PROFBENCH   := $(BENCH_BIN)/profbench
GPERF_LIB   ?= /usr/lib/x86_64-linux-gnu/libprofiler.so
BENCH_FLAGS ?=

$(BENCH_WORK): $(BENCH_BIN)/%: $(BUILD)/obj/profiler/bench/%.o
	@mkdir -p $(dir $@)
	$(CC) -o $@ $< -pthread

$(PROFBENCH): $(call obj,$(BENCH_SRC)) $(LIBPROFILE)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LIBS_MODEL)

bench-bins: $(PROFBENCH) $(BENCH_WORK) $(LIBCPUPROF)
.PHONY: bench-bins

bench: bench-bins
	@test -r $(GPERF_LIB) || { echo "bench: $(GPERF_LIB) missing (apt-get install libgoogle-perftools-dev)"; exit 1; }
	$(PROFBENCH) -bindir=$(BENCH_BIN) -lib=$(LIBCPUPROF) -gperf=$(GPERF_LIB) -out=$(BENCH_DIR) $(BENCH_FLAGS)
