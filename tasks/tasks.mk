# tasks/tasks.mk: the learner-facing targets, included by the top Makefile.
#
#   make deps       installs the packages of .ci/packages that are missing
#                   (apt-get, as root); a quick no-op when all are there.
#                   DEPS_EXTRA="pkg ..." adds packages (.ci/run: golang-go).
#   make taskN      deps, tools, then runs exercise N under the profiler and
#                   prints the report (build/bin/checker --run taskN).
#   make build-task TASK_SRC=dir TASK_OUT=dir [TASK_CFLAGS=...]
#                   [TASK_COMMON_DIR=dir]
#                   builds one exercise: every .c of TASK_SRC plus the
#                   shared code, TASK_COMMON_DIR/*.c (default tasks/common),
#                   linked with libbench, libcpuprof.a and libprofile.a,
#                   into TASK_OUT/bench. The checker calls it for each
#                   variant (yours, solution, pristine); for the untouched
#                   program it passes the tasks/common of the same commit.
#
# Invariant: nothing here writes outside build/ and tasks/taskNN/out/.

DEPS_PKGS := $(strip $(shell sed -e 's/\#.*//' .ci/packages))

deps:
	@missing=""; \
	for p in $(DEPS_PKGS) $(DEPS_EXTRA); do \
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q 'ok installed' \
	    || missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "make deps: missing packages; as root run: apt-get update && apt-get install -y$$missing" >&2; \
	  exit 1; \
	fi; \
	echo "make deps: installing$$missing"; \
	apt-get update -q && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing

TASK_NUMBERS := 1 2 3 4 5 6 7 8 9 10 11 12 13
TASK_TARGETS := $(addprefix task,$(TASK_NUMBERS))
.PHONY: deps build-task $(TASK_TARGETS)

# A static pattern rule, so that no other file name starting with "task"
# (tasks/tasks.mk itself) ever matches.
$(TASK_TARGETS): task%: deps
	@$(MAKE) -s --no-print-directory tools
	@$(CHECKER) --run task$*

TASK_WARN   := -Wall -Wextra
TASK_COMMON_DIR ?= tasks/common
TASK_COMMON := $(wildcard $(TASK_COMMON_DIR)/*.c)

build-task: $(LIBBENCH) $(LIBCPUPROF_A) $(LIBPROFILE)
	@if [ -z "$(TASK_SRC)" ] || [ -z "$(TASK_OUT)" ]; then \
	  echo "make build-task: set TASK_SRC and TASK_OUT" >&2; exit 2; fi
	@mkdir -p $(TASK_OUT)
	$(CC) -std=c17 $(TASK_WARN) $(CFLAGS) $(TASK_CFLAGS) -D_GNU_SOURCE -pthread \
	  -DBENCH_PKG='"$(notdir $(TASK_SRC))"' \
	  -Iprofiler/include -I$(TASK_COMMON_DIR) -I$(TASK_SRC) -o $(TASK_OUT)/bench \
	  $(wildcard $(TASK_SRC)/*.c) $(TASK_COMMON) \
	  $(LIBBENCH) $(LIBCPUPROF_A) $(LIBPROFILE) $(LIBS_RUNTIME) $(LIBS_MODEL)
