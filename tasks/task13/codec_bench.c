/* codec_bench.c: the benchmarks of task 13's library, the package the
 * regression gate watches.
 *
 *   BenchmarkCRC32         CRC-32 of 16 KiB
 *   BenchmarkBase64Encode  base64 of 12 KiB (16 KiB of output)
 *   BenchmarkUTF8Count     code points of 16 KiB of mixed-script text
 *
 * Each op works on the same buffers, filled once outside the timed loop
 * and small enough to stay in the CPU's cache: no allocation, no system
 * call, nothing but the function itself. The first call of each benchmark
 * checks its function on known answers and exits with a message if one is
 * wrong.
 *
 * Besides the harness's ns/op (wall-clock time, as Go measures), every
 * result line carries cpu-ns/op: the CPU time the benchmark's thread used
 * per op (CLOCK_THREAD_CPUTIME_ID around the loop). On a shared machine
 * the wall clock also counts the time other programs held the CPU, and
 * moves by tens of percent between runs; the thread's CPU time moves by
 * one or two. The gate watches cpu-ns/op (docs/task13.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "bench.h"
#include "crc32.h"
#include "utf8.h"

#define DATA_LEN (16 * 1024)
#define B64_IN (12 * 1024)

static unsigned char data[DATA_LEN];
static char b64_out[BASE64_LEN(B64_IN)];
static char text[DATA_LEN];
static long text_points;
static int ready;

/* CPU time used by the calling thread, in nanoseconds. */
static int64_t thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "task13: %s\n", what);
    exit(1);
}

/* Random bytes (xorshift32), and text cycling through 1- to 4-byte
 * characters: "a", "é", "€", "😀". */
static void setup(void) {
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < DATA_LEN; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (unsigned char)x;
    }
    static const char *const pieces[] = {"a", "b", "\xc3\xa9", "c", "\xe2\x82\xac", "d ",
                                         "\xf0\x9f\x98\x80"};
    static const long points[] = {1, 1, 1, 1, 1, 2, 1};
    size_t used = 0;
    for (unsigned k = 0;; k = (k + 1) % 7) {
        size_t len = strlen(pieces[k]);
        if (used + len > DATA_LEN)
            break;
        memcpy(text + used, pieces[k], len);
        used += len;
        text_points += points[k];
    }
    while (used < DATA_LEN) {
        text[used++] = ' ';
        text_points++;
    }
    if (crc32_ieee("123456789", 9) != 0xcbf43926u)
        die("crc32_ieee(\"123456789\") is wrong");
    char b[8];
    if (base64_encode("foob", 4, b) != 8 || memcmp(b, "Zm9vYg==", 8) != 0)
        die("base64_encode(\"foob\") is wrong");
    if (utf8_count(text, DATA_LEN) != text_points || utf8_count("\xc0\x80", 2) != -1)
        die("utf8_count is wrong");
    ready = 1;
}

/* Adds the loop's CPU time per op to the result line as cpu-ns/op. */
static void report_cpu(bench *b, int64_t t0) {
    bench_report_metric(b, (double)(thread_cpu_ns() - t0) / (double)b->n, "cpu-ns/op");
}

BENCHMARK(CRC32) {
    if (!ready) {
        setup();
        bench_reset_timer(b);
    }
    int64_t t0 = thread_cpu_ns();
    for (int64_t i = 0; i < b->n; i++)
        bench_sink_i64(crc32_ieee(data, DATA_LEN));
    report_cpu(b, t0);
}

BENCHMARK(Base64Encode) {
    if (!ready) {
        setup();
        bench_reset_timer(b);
    }
    int64_t t0 = thread_cpu_ns();
    for (int64_t i = 0; i < b->n; i++) {
        bench_sink_i64((int64_t)base64_encode(data, B64_IN, b64_out));
        bench_sink_ptr(b64_out);
    }
    report_cpu(b, t0);
}

BENCHMARK(UTF8Count) {
    if (!ready) {
        setup();
        bench_reset_timer(b);
    }
    int64_t t0 = thread_cpu_ns();
    for (int64_t i = 0; i < b->n; i++)
        bench_sink_i64(utf8_count(text, DATA_LEN));
    report_cpu(b, t0);
}
