/* The C "import" figure of bench/run: how long dlopen() of libsmsauth.so takes in a fresh
 * process (what a program linking -lsmsauth pays at start-up), then one call resolved through it.
 *
 *   smsauth-load-c /path/to/libsmsauth.so      prints {"import_ms": …} */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s LIBSMSAUTH_SO\n", argv[0]);
    return 2;
  }
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  const char *(*version)(void) = (const char *(*)(void))dlsym(lib, "smsauth_version");
  if (!version || !version()) return 1;
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("{\"import_ms\": %.4f}\n", (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
  return 0;
}
