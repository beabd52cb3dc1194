/* profile_tags.c: pprof's -tags table, the value of samples per label.
 *
 * For sample type vi, every label of every sample adds the sample's value to
 * its (key, value) cell; a numeric label's value is its text with its unit
 * (label_format.c), so 4096 bytes and 4 kilobytes both print "4kB" and
 * share a cell, as in pprof. A key's total is the sum of its cells (a sample
 * carrying a key twice counts twice, as pprof counts it). Keys are sorted by
 * name, values by |total| descending and then by text; the table's total is
 * the sum of the values of all samples.
 */
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

static int64_t abs64(int64_t v) {
    return v < 0 ? -v : v;
}

static int tag_cmp(const void *a, const void *b) {
    return strcmp(((const pf_tag *)a)->key, ((const pf_tag *)b)->key);
}

static int value_cmp(const void *a, const void *b) {
    const pf_tag_value *x = a, *y = b;
    if (abs64(x->total) != abs64(y->total)) return abs64(x->total) > abs64(y->total) ? -1 : 1;
    return strcmp(x->value, y->value);
}

static char *dup(const char *s) {
    size_t n = strlen(s) + 1;
    char *c = pf_xrealloc(NULL, n);
    memcpy(c, s, n);
    return c;
}

int profile_tags(const profile *p, int vi, pf_tags *out, char *err, size_t errlen) {
    memset(out, 0, sizeof(*out));
    if (vi < 0 || (size_t)vi >= p->nsample_types)
        return pf_errf(err, errlen, "profile: there is no sample type %d (the profile has %zu)",
                       vi, p->nsample_types);
    pf_map keys = {0};  /* key -> tag index + 1 */
    pf_map cells = {0}; /* "key\0value" -> value index + 1, per tag */
    size_t cap = 0;
    size_t *vcaps = NULL;
    char num[64];
    for (size_t i = 0; i < p->nsamples; i++) {
        const pf_sample *s = &p->samples[i];
        int64_t v = s->values[vi];
        out->total += v;
        for (size_t j = 0; j < s->nlabels; j++) {
            const pf_label *l = &s->labels[j];
            const char *text = l->str ? l->str : pf_format_num_label(l->num, l->num_unit, num,
                                                                      sizeof(num));
            size_t klen = strlen(l->key);
            uintptr_t t = (uintptr_t)pf_map_get(&keys, l->key, klen);
            if (!t) {
                if (out->ntags == cap) {
                    cap = cap ? cap * 2 : 8;
                    out->tags = pf_xrealloc(out->tags, pf_mul(cap, sizeof(pf_tag)));
                    vcaps = pf_xrealloc(vcaps, pf_mul(cap, sizeof(size_t)));
                }
                out->tags[out->ntags] = (pf_tag){.key = dup(l->key)};
                vcaps[out->ntags] = 0;
                t = ++out->ntags;
                pf_map_put(&keys, l->key, klen, (void *)t);
            }
            pf_tag *tag = &out->tags[t - 1];
            tag->total += v;
            size_t tlen = strlen(text), clen = klen + 1 + tlen;
            char *ckey = pf_xrealloc(NULL, clen);
            memcpy(ckey, l->key, klen + 1);
            memcpy(ckey + klen + 1, text, tlen);
            uintptr_t c = (uintptr_t)pf_map_get(&cells, ckey, clen);
            if (!c) {
                size_t *vc = &vcaps[t - 1];
                if (tag->nvalues == *vc) {
                    *vc = *vc ? *vc * 2 : 8;
                    tag->values = pf_xrealloc(tag->values, pf_mul(*vc, sizeof(pf_tag_value)));
                }
                tag->values[tag->nvalues] = (pf_tag_value){.value = dup(text)};
                c = ++tag->nvalues;
                pf_map_put(&cells, ckey, clen, (void *)c);
            }
            tag->values[c - 1].total += v;
            free(ckey);
        }
    }
    for (size_t i = 0; i < out->ntags; i++)
        qsort(out->tags[i].values, out->tags[i].nvalues, sizeof(pf_tag_value), value_cmp);
    if (out->ntags) qsort(out->tags, out->ntags, sizeof(pf_tag), tag_cmp);
    free(vcaps);
    pf_map_free(&keys);
    pf_map_free(&cells);
    return 0;
}

void pf_tags_free(pf_tags *t) {
    if (!t) return;
    for (size_t i = 0; i < t->ntags; i++) {
        for (size_t j = 0; j < t->tags[i].nvalues; j++) free((char *)t->tags[i].values[j].value);
        free(t->tags[i].values);
        free((char *)t->tags[i].key);
    }
    free(t->tags);
    memset(t, 0, sizeof(*t));
}
