/*
 * The line services' framing and rules, in C (see line_rules.h). The framing is
 * src/framing/line-splitter.ts's, byte for byte: split on \n, drop one trailing \r, a line
 * longer than the limit (after that \r) is too long, and so is a head of a line that has
 * grown past limit + 1 bytes before its \n came (the +1: a \r that a \n may still follow).
 *
 * The rules are what a line service declares next to its JS responder, evaluated in its
 * order: strip (ASCII whitespace at both ends, as stripAsciiWhitespace), the exact matches,
 * the prefixes (reply: the rest of the line and a suffix), the TIME match (local
 * `YYYY-mm-dd HH:MM:SS\n`, as clockDateTime), then the fallback (a constant reply, or
 * the line wrapped between two byte strings).
 *
 * Encoding (little-endian u32s, src/stream/native-echo.ts encodeLineRules): version (1),
 * flags (1 strip, 2 time, 4 wrap fallback), maxLineLength, number of exact pairs, number
 * of prefix pairs; then byte strings (u32 length, bytes): the too-long reply, the TIME
 * match, fallback a, fallback b, the exact pairs (match, reply), the prefix pairs (prefix,
 * suffix).
 */
#include "line_rules.h"

#include "common.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { FLAG_STRIP = 1, FLAG_TIME = 2, FLAG_WRAP = 4 };
#define SPEC_VERSION 1
/* A fresh buffer's first size: room for a pipelined batch of short replies. */
#define LBUF_FIRST 1024

/* ---- buffers ---- */

int lbuf_append(lbuf_t* b, const char* p, size_t n) {
  if (n == 0) return 0;
  if (b->cap - b->len < n) {
    if (b->off > 0 && b->off == b->len) b->off = b->len = 0;
    if (b->cap - b->len < n) {
      size_t need = b->len + n;
      size_t cap = b->cap > 0 ? b->cap : LBUF_FIRST;
      while (cap < need) {
        if (cap > SIZE_MAX / 2) return -1;
        cap *= 2;
      }
      char* grown = realloc(b->p, cap);
      if (grown == NULL) return -1;
      b->p = grown;
      b->cap = cap;
    }
  }
  memcpy(b->p + b->len, p, n);
  b->len += n;
  return 0;
}

void lbuf_free(lbuf_t* b) {
  free(b->p);
  b->p = NULL;
  b->off = b->len = b->cap = 0;
}

void lbuf_trim(lbuf_t* b, size_t keep) {
  if (b->off < b->len) return;
  b->off = b->len = 0;
  if (b->cap > keep) lbuf_free(b);
}

/* ---- rules ---- */

static int read_u32(const unsigned char* s, size_t len, size_t* at, uint32_t* out) {
  if (len - *at < 4) return 0;
  const unsigned char* p = s + *at;
  *out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  *at += 4;
  return 1;
}

static int read_bytes(const char* s, size_t len, size_t* at, lbytes_t* out) {
  uint32_t n;
  if (!read_u32((const unsigned char*)s, len, at, &n) || len - *at < n) return 0;
  out->p = s + *at;
  out->n = n;
  *at += n;
  return 1;
}

line_rules_t* line_rules_parse(const void* spec, size_t len) {
  line_rules_t* r = calloc(1, sizeof(*r));
  if (r == NULL) return NULL;
  r->spec = malloc(len > 0 ? len : 1);
  if (r->spec == NULL) {
    free(r);
    return NULL;
  }
  if (len > 0) memcpy(r->spec, spec, len);
  const unsigned char* u = (const unsigned char*)r->spec;
  size_t at = 0;
  uint32_t version, flags, max_line, nexact, nprefix;
  int ok = read_u32(u, len, &at, &version) && version == SPEC_VERSION && read_u32(u, len, &at, &flags) &&
           read_u32(u, len, &at, &max_line) && max_line >= 1 && read_u32(u, len, &at, &nexact) &&
           read_u32(u, len, &at, &nprefix) && nexact <= len / 8 && nprefix <= len / 8;
  if (ok) {
    r->strip = (flags & FLAG_STRIP) != 0;
    r->has_time = (flags & FLAG_TIME) != 0;
    r->wrap = (flags & FLAG_WRAP) != 0;
    r->max_line = max_line;
    r->nexact = nexact;
    r->nprefix = nprefix;
    r->exact = calloc(nexact + nprefix + 1, sizeof(lpair_t));
    r->prefix = r->exact != NULL ? r->exact + nexact : NULL;
    ok = r->exact != NULL && read_bytes(r->spec, len, &at, &r->too_long) &&
         read_bytes(r->spec, len, &at, &r->time_match) && read_bytes(r->spec, len, &at, &r->fallback_a) &&
         read_bytes(r->spec, len, &at, &r->fallback_b);
    for (size_t i = 0; ok && i < nexact + nprefix; i++)
      ok = read_bytes(r->spec, len, &at, &r->exact[i].match) && read_bytes(r->spec, len, &at, &r->exact[i].reply);
    ok = ok && at == len;
  }
  if (!ok) {
    line_rules_free(r);
    return NULL;
  }
  r->time_sec = (time_t)-1;
  /* localtime_r does not look at TZ again by itself: take the environment's zone now. */
  tzset();
  return r;
}

void line_rules_free(line_rules_t* r) {
  if (r == NULL) return;
  free(r->exact);
  free(r->spec);
  free(r);
}

static int is_space(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

static int same(const char* p, size_t n, lbytes_t b) {
  return n == b.n && (n == 0 || memcmp(p, b.p, n) == 0);
}

/* Local `YYYY-mm-dd HH:MM:SS\n` (Python's time.strftime and clockDateTime agree on it). */
static int append_time(line_rules_t* r, lbuf_t* out) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  if (now.tv_sec != r->time_sec) {
    struct tm tm;
    r->time_len = 0;
    if (localtime_r(&now.tv_sec, &tm) != NULL)
      r->time_len = strftime(r->time_text, sizeof(r->time_text), "%Y-%m-%d %H:%M:%S\n", &tm);
    r->time_sec = now.tv_sec;
  }
  return lbuf_append(out, r->time_text, r->time_len);
}

/* The reply to one line (no \n, its one \r dropped), appended to out. */
static int answer(line_rules_t* r, const char* s, size_t n, lbuf_t* out) {
  if (r->strip) {
    while (n > 0 && is_space((unsigned char)s[0])) {
      s++;
      n--;
    }
    while (n > 0 && is_space((unsigned char)s[n - 1])) n--;
  }
  for (size_t i = 0; i < r->nexact; i++)
    if (same(s, n, r->exact[i].match)) return lbuf_append(out, r->exact[i].reply.p, r->exact[i].reply.n);
  for (size_t i = 0; i < r->nprefix; i++) {
    lbytes_t pre = r->prefix[i].match;
    if (n >= pre.n && (pre.n == 0 || memcmp(s, pre.p, pre.n) == 0)) {
      if (lbuf_append(out, s + pre.n, n - pre.n) < 0) return -1;
      return lbuf_append(out, r->prefix[i].reply.p, r->prefix[i].reply.n);
    }
  }
  if (r->has_time && same(s, n, r->time_match)) return append_time(r, out);
  if (!r->wrap) return lbuf_append(out, r->fallback_a.p, r->fallback_a.n);
  if (lbuf_append(out, r->fallback_a.p, r->fallback_a.n) < 0 || lbuf_append(out, s, n) < 0) return -1;
  return lbuf_append(out, r->fallback_b.p, r->fallback_b.n);
}

/* One complete line of `len` bytes (without its \n): within the limit, answered. */
static int answer_line(line_rules_t* r, const char* s, size_t len, lbuf_t* out) {
  if (len > 0 && s[len - 1] == '\r') len--;
  if (len > r->max_line) return LINES_TOO_LONG;
  return answer(r, s, len, out) < 0 ? LINES_NOMEM : LINES_OK;
}

/*
 * Answer the complete lines of p[0..n) while the output's pending bytes are below `mark`.
 * *used: bytes consumed (through the last answered line's \n); *at_mark: stopped by the mark.
 */
static int answer_run(line_rules_t* r, const char* p, size_t n, lbuf_t* out, size_t mark, size_t* used, int* at_mark) {
  size_t start = 0;
  *at_mark = 0;
  for (;;) {
    if (out->len - out->off >= mark) {
      *at_mark = 1;
      break;
    }
    const char* nl = memchr(p + start, '\n', n - start);
    if (nl == NULL) break;
    size_t end = (size_t)(nl - p);
    int rc = answer_line(r, p + start, end - start, out);
    if (rc != LINES_OK) {
      *used = start;
      return rc;
    }
    start = end + 1;
  }
  *used = start;
  return LINES_OK;
}

/* The head of a line (no \n in it) is held, within limit + 1 bytes. */
static int hold_head(line_rules_t* r, line_input_t* st, const char* p, size_t n) {
  if (st->in.len - st->in.off + n > r->max_line + 1) return LINES_TOO_LONG;
  return lbuf_append(&st->in, p, n) < 0 ? LINES_NOMEM : LINES_OK;
}

int lines_feed(line_rules_t* r, line_input_t* st, const char* p, size_t n, lbuf_t* out, size_t mark) {
  if (st->in.len > st->in.off) {
    /* The line the held head starts: completed by this read's first \n, if any. */
    const char* nl = memchr(p, '\n', n);
    if (nl == NULL) return hold_head(r, st, p, n);
    size_t k = (size_t)(nl - p);
    /* Past limit + 1 it is too long whatever its last byte (one \r only is dropped). */
    int rc = hold_head(r, st, p, k);
    if (rc != LINES_OK) return rc;
    rc = answer_line(r, st->in.p + st->in.off, st->in.len - st->in.off, out);
    st->in.off = st->in.len = 0;
    if (rc != LINES_OK) return rc;
    p += k + 1;
    n -= k + 1;
  }
  size_t used;
  int at_mark;
  int rc = answer_run(r, p, n, out, mark, &used, &at_mark);
  if (rc != LINES_OK) return rc;
  if (used == n) return LINES_OK;
  if (!at_mark) return hold_head(r, st, p + used, n - used);
  /* The output is at its mark: the rest waits, lines and all (no read meanwhile). */
  if (lbuf_append(&st->in, p + used, n - used) < 0) return LINES_NOMEM;
  st->backlog = 1;
  return LINES_OK;
}

int lines_backlog(line_rules_t* r, line_input_t* st, lbuf_t* out, size_t mark) {
  if (!st->backlog) return LINES_OK;
  size_t used;
  int at_mark;
  lbuf_t* in = &st->in;
  int rc = answer_run(r, in->p + in->off, in->len - in->off, out, mark, &used, &at_mark);
  if (rc != LINES_OK) return rc;
  in->off += used;
  if (at_mark && in->off < in->len) return LINES_OK;
  /* No complete line left: what remains is the head of the next one. */
  st->backlog = 0;
  size_t head = in->len - in->off;
  if (head > 0 && in->off > 0) memmove(in->p, in->p + in->off, head);
  in->off = 0;
  in->len = head;
  return head > r->max_line + 1 ? LINES_TOO_LONG : LINES_OK;
}

int lines_end(line_rules_t* r, line_input_t* st, lbuf_t* out) {
  while (st->backlog) {
    int rc = lines_backlog(r, st, out, SIZE_MAX);
    if (rc != LINES_OK) return rc;
  }
  size_t n = st->in.len - st->in.off;
  if (n == 0) return LINES_OK;
  int rc = answer_line(r, st->in.p + st->in.off, n, out);
  st->in.off = st->in.len = 0;
  return rc;
}

/* ---- export: the interpreter alone, for tests ---- */

/*
 * lineRulesRun(spec: Buffer, input: Buffer, chunk, mark) -> Buffer, or -errno (EINVAL: bad
 * rules). Feeds `input` in reads of `chunk` bytes through the connection's framing, with
 * the output sent whenever it reaches `mark`, then ends it: the bytes a client would read
 * (the too-long reply last, if a line was too long).
 */
static napi_value js_line_rules_run(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  void *spec, *input;
  size_t spec_len, input_len;
  int32_t chunk, mark;
  if (!arg_buffer(env, argv[0], &spec, &spec_len) || !arg_buffer(env, argv[1], &input, &input_len) ||
      !arg_int(env, argv[2], &chunk) || !arg_int(env, argv[3], &mark))
    return NULL;
  if (chunk < 1 || mark < 1) return make_int(env, -EINVAL);
  line_rules_t* r = line_rules_parse(spec, spec_len);
  if (r == NULL) return make_int(env, -EINVAL);
  line_input_t st = {0};
  lbuf_t out = {0}, sent = {0};
  int rc = LINES_OK;
  size_t at = 0;
  const char* in = (const char*)input;
  while (rc == LINES_OK && at < input_len) {
    size_t n = input_len - at < (size_t)chunk ? input_len - at : (size_t)chunk;
    rc = lines_feed(r, &st, in + at, n, &out, (size_t)mark);
    at += n;
    /* As the connection does: send, then answer the backlog, before the next read. */
    while (rc == LINES_OK) {
      if (lbuf_append(&sent, out.p + out.off, out.len - out.off) < 0) rc = LINES_NOMEM;
      out.off = out.len = 0;
      if (rc != LINES_OK || !st.backlog) break;
      rc = lines_backlog(r, &st, &out, (size_t)mark);
    }
  }
  if (rc == LINES_OK) rc = lines_end(r, &st, &out);
  if (rc != LINES_NOMEM && lbuf_append(&sent, out.p + out.off, out.len - out.off) < 0) rc = LINES_NOMEM;
  if (rc == LINES_TOO_LONG && lbuf_append(&sent, r->too_long.p, r->too_long.n) < 0) rc = LINES_NOMEM;
  napi_value result = NULL;
  if (rc == LINES_NOMEM) result = make_int(env, -ENOMEM);
  else if (napi_create_buffer_copy(env, sent.len, sent.len > 0 ? sent.p : "", NULL, &result) != napi_ok) result = NULL;
  lbuf_free(&out);
  lbuf_free(&sent);
  lbuf_free(&st.in);
  line_rules_free(r);
  return result;
}

napi_status register_line_rules(napi_env env, napi_value exports) {
  return export_fn(env, exports, "lineRulesRun", js_line_rules_run);
}
