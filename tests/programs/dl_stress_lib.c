/* dl_stress_lib.c: a tiny shared library that dl_stress loads and unloads
 * in a loop. It has code, data and a constructor, so each dlopen really maps,
 * relocates and initializes an object and each dlclose really unmaps it. */
static volatile int loaded;

__attribute__((constructor)) static void on_load(void) {
    loaded++;
}

int dl_stress_work(int n) {
    int x = loaded;
    for (int i = 0; i < n; i++) x = x * 31 + i;
    return x;
}
