/*
 * Line services interpreted in C: the framing of src/framing/line-splitter.ts and the
 * declarative rules a line service states in JavaScript (src/services/line-service.ts
 * LineRules, encoded by src/stream/native-echo.ts encodeLineRules). No protocol is
 * written here: cmd and line-echo are data handed over by their JS modules.
 */
#ifndef SOCKLAB_LINE_RULES_H
#define SOCKLAB_LINE_RULES_H

#include <stddef.h>
#include <time.h>

/* A byte buffer that grows on demand: [off, len) is what is still pending. */
typedef struct {
  char* p;
  size_t off, len, cap;
} lbuf_t;

typedef struct {
  const char* p;
  size_t n;
} lbytes_t;

typedef struct {
  lbytes_t match, reply;
} lpair_t;

typedef struct {
  char* spec; /* a copy of the encoded rules; every lbytes_t points into it */
  int strip, has_time, wrap;
  size_t max_line;
  lbytes_t too_long;
  lbytes_t time_match;
  lbytes_t fallback_a, fallback_b; /* wrap: before, after; else a (the reply) */
  size_t nexact, nprefix;
  lpair_t* exact;  /* [match, reply] */
  lpair_t* prefix; /* [prefix, suffix] */
  /* TIME's text for one second, rebuilt when the second changes. */
  time_t time_sec;
  char time_text[40];
  size_t time_len;
} line_rules_t;

/* The framing state of one connection: input read and not answered yet. */
typedef struct {
  lbuf_t in;
  /* `in` may hold complete lines (answering stopped at the output mark); else it holds
   * only the head of a line whose \n has not come yet. */
  int backlog;
} line_input_t;

enum { LINES_OK = 0, LINES_TOO_LONG = 1, LINES_NOMEM = -1 };

/* Parse the encoded rules (a copy is kept); NULL if malformed or out of memory. */
line_rules_t* line_rules_parse(const void* spec, size_t len);
void line_rules_free(line_rules_t* r);

/* Append n bytes to b (growing it); 0, or -1 out of memory. */
int lbuf_append(lbuf_t* b, const char* p, size_t n);
/* Release the buffer's memory if it is empty and has grown past `keep` bytes. */
void lbuf_trim(lbuf_t* b, size_t keep);
void lbuf_free(lbuf_t* b);

/*
 * Bytes read: answer the complete lines they finish (the held head of a line first) while
 * the output's pending bytes stay below `mark`; what is not answered stays in st->in.
 * Must not be called while st->backlog is set (answer that first: lines_backlog).
 * LINES_TOO_LONG: a line is over the limit; the lines before it are answered.
 */
int lines_feed(line_rules_t* r, line_input_t* st, const char* p, size_t n, lbuf_t* out, size_t mark);
/* Answer lines held in st->in (a backlog) while the output stays below `mark`. */
int lines_backlog(line_rules_t* r, line_input_t* st, lbuf_t* out, size_t mark);
/* End of input (no backlog left): answer the last unterminated line, if any. */
int lines_end(line_rules_t* r, line_input_t* st, lbuf_t* out);

/* lineRulesRun, the interpreter alone (for tests): registered with the engine's exports. */
#include <node_api.h>
napi_status register_line_rules(napi_env env, napi_value exports);

#endif
