/*
 * Helpers shared by the bench's load generators (loadgen.c, tlsgen.c): a monotonic clock,
 * the process's own CPU time, and dying with one line that names the program.
 * The including file defines GEN_NAME ("loadgen", "tlsgen") before including this.
 */
#ifndef GEN_COMMON_H
#define GEN_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_self(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *what) {
  fprintf(stderr, GEN_NAME ": %s: %s\n", what, strerror(errno));
  exit(1);
}

#endif
