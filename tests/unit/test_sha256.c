/* test_sha256.c: tasks/common/sha256.c against the FIPS 180-2 example
 * vectors, split updates of every size, and the system's sha256sum on a
 * random file. tasks/common is not part of any library, so the source is
 * compiled into this test directly. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tasks/common/sha256.c"

static void hex_of(const void *data, size_t len, char hex[65]) {
    uint8_t d[SHA256_DIGEST_LEN];
    sha256(data, len, d);
    sha256_hex(d, hex);
}

START_TEST(fips_abc) {
    char hex[65];
    hex_of("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(fips_448_bits) {
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char hex[65];
    ck_assert_uint_eq(strlen(m) * 8, 448);
    hex_of(m, strlen(m), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(fips_million_a) {
    sha256_ctx c;
    uint8_t d[SHA256_DIGEST_LEN];
    char hex[65], chunk[1000];
    memset(chunk, 'a', sizeof chunk);
    sha256_init(&c);
    for (int i = 0; i < 1000; i++) sha256_update(&c, chunk, sizeof chunk);
    sha256_final(&c, d);
    sha256_hex(d, hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

START_TEST(empty) {
    char hex[65];
    hex_of("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

/* Every split point of a 200-byte message gives the one-shot digest:
 * covers the block-boundary and padding cases (55, 56, 63, 64 bytes). */
START_TEST(split_updates) {
    uint8_t msg[200], whole[32], parts[32];
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i * 7 + 3);
    for (size_t len = 0; len <= sizeof msg; len++) {
        sha256(msg, len, whole);
        for (size_t cut = 0; cut <= len; cut += 13) {
            sha256_ctx c;
            sha256_init(&c);
            sha256_update(&c, msg, cut);
            sha256_update(&c, msg + cut, len - cut);
            sha256_final(&c, parts);
            ck_assert_mem_eq(whole, parts, 32);
        }
    }
}
END_TEST

START_TEST(matches_sha256sum) {
    FILE *tmp = tmpfile(); /* unlinked already; reached through /proc */
    ck_assert_ptr_nonnull(tmp);
    size_t n = 1234567;
    uint8_t *buf = malloc(n);
    srand(42);
    for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)(rand() >> 7);
    ck_assert_uint_eq(fwrite(buf, 1, n, tmp), n);
    ck_assert_int_eq(fflush(tmp), 0);

    char cmd[128], want[65] = "", hex[65];
    snprintf(cmd, sizeof cmd, "sha256sum /proc/%d/fd/%d", (int)getpid(), fileno(tmp));
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(fscanf(p, "%64s", want), 1);
    pclose(p);
    fclose(tmp);
    hex_of(buf, n, hex);
    free(buf);
    ck_assert_str_eq(hex, want);
}
END_TEST

int main(void) {
    Suite *s = suite_create("sha256");
    TCase *tc = tcase_create("vectors");
    tcase_add_test(tc, fips_abc);
    tcase_add_test(tc, fips_448_bits);
    tcase_add_test(tc, fips_million_a);
    tcase_add_test(tc, empty);
    tcase_add_test(tc, split_updates);
    tcase_add_test(tc, matches_sha256sum);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
