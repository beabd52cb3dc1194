/* registry.c: the 13 tasks of the workbook, by number, with their titles
 * and their definitions.
 *
 * A task's definition lives in checker/taskNN.c as `const task_def
 * taskNN_def`. Each is declared weak here, so a task whose file is not
 * written yet links as NULL and shows as "not available yet"; adding the
 * file is all it takes to register a task. Invariant: entries[i].num == i+1.
 */
#include "checker.h"

#include <unistd.h>

#define DECLARE(nn) extern const task_def task##nn##_def __attribute__((weak))
DECLARE(01); DECLARE(02); DECLARE(03); DECLARE(04); DECLARE(05);
DECLARE(06); DECLARE(07); DECLARE(08); DECLARE(09); DECLARE(10);
DECLARE(11); DECLARE(12); DECLARE(13);

static const task_entry entries[NTASKS] = {
    {1, "First profile from a benchmark", &task01_def},
    {2, "Profile a running HTTP server", &task02_def},
    {3, "Reading flat vs cumulative", &task03_def},
    {4, "Diff two profiles", &task04_def},
    {5, "Label samples by endpoint", &task05_def},
    {6, "Too many threads", &task06_def},
    {7, "Replace a hot regex", &task07_def},
    {8, "An empty profile", &task08_def},
    {9, "Profile bias and inlining", &task09_def},
    {10, "Mutex contention in a CPU profile", &task10_def},
    {11, "Profile-guided optimization", &task11_def},
    {12, "Continuous profiling", &task12_def},
    {13, "A CPU regression gate in CI", &task13_def},
};

const task_entry *registry_get(int num) {
    if (num < 1 || num > NTASKS) return NULL;
    return &entries[num - 1];
}

bool registry_available(const task_entry *e) {
    char dir[32];
    snprintf(dir, sizeof dir, "tasks/task%02d", e->num);
    return e->def != NULL && access(dir, F_OK) == 0;
}
