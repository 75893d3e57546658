// Element-wise and row kernels of longmem-eval that need vector code Swift cannot be relied on to emit
// (masked selects, FMA contraction, vector reductions). Plain C loops written so that clang vectorises
// them (-O3, AVX2/FMA on x86-64); each has a naive Swift twin in LongMemTensor's tests.
#ifndef CLONGMEMKERNELS_H
#define CLONGMEMKERNELS_H

#include <stdint.h>

/// Largest element (-infinity when n == 0).
float lm_max(const float *x, int64_t n);
/// Sum, accumulated in double.
double lm_sum(const float *x, int64_t n);
/// log(sum(exp(x))) = max + log(sum(exp(x - max))), final sum in double.
double lm_log_sum_exp(const float *x, int64_t n);
/// sum(exp(x - shift)), accumulated in double.
double lm_sum_exp_shifted(const float *x, int64_t n, float shift);
/// In place: x = exp(x - max) / sum; returns log(sum(exp(x))) of the input.
float lm_softmax(float *x, int64_t n);
/// In place for a causal attention row whose query sits at position n - 1: adds the ALiBi bias
/// -slope * (n - 1 - j) to x[j], then applies softmax; returns the log-sum-exp of the biased row.
float lm_alibi_softmax(float *x, int64_t n, float slope);
/// In place: x = exp(x), with exp(x) = 0 below -87.34 (Float32 underflow).
void lm_exp(float *x, int64_t n);

/// In place: GELU with the tanh approximation (GPT-2's gelu_new).
void lm_gelu_tanh(float *x, int64_t n);
/// In place: exact GELU 0.5 x (1 + erf(x / sqrt 2)).
void lm_gelu_erf(float *x, int64_t n);
/// In place: x * sigmoid(x).
void lm_silu(float *x, int64_t n);

/// y = (x - mean) / sqrt(var + eps) * w + b over one row of n (biased variance); y may alias x.
void lm_layer_norm(const float *x, float *y, const float *w, const float *b, int64_t n, float eps);
/// y = x / sqrt(mean(x^2) + eps) * w over one row of n; y may alias x.
void lm_rms_norm(const float *x, float *y, const float *w, int64_t n, float eps);

/// Index of the largest element (the first on ties).
int64_t lm_argmax(const float *x, int64_t n);

/// The n largest of x[0 ..< count]: their indices (descending by value, the lower index first on ties)
/// into out_index and values into out_value; positions past count are -1 / -infinity.
void lm_top_k(const float *x, int64_t count, int64_t n, int32_t *out_index, float *out_value);
/// Merges candidates into a running top-n list (the tiled form of lm_top_k: a search scores one block of
/// chunks at a time and keeps only n per query). best_index/best_value hold n entries, descending, -1 /
/// -infinity where empty; candidate i has value x[i] and index ids[i], or base + i when ids is NULL. A
/// candidate enters only when strictly greater than the current n-th value, so on ties the entry already
/// held, or the earlier candidate, stays first (lm_top_k's order when blocks arrive in index order).
void lm_top_k_merge(
    const float *x, int64_t count, const int32_t *ids, int32_t base, int64_t n, int32_t *best_index, float *best_value);

/// Attention of one query over the tokens of memory chunks: `slot_count` chunk slots (indices into
/// keys/values, each slot holding `chunk` tokens of `dim` elements, `slot_stride` elements apart),
/// stored as float16 when `half` is non-zero, else float32. logits = scale * q . k; `zero_tokens` extra
/// all-zero keys and values also take part (the official code's quirk of reading an empty slot).
/// Writes softmax(logits) V to out (dim floats) and returns log(sum(exp(logits))). `scratch` holds at
/// least slot_count * chunk + dim floats.
float lm_memory_attention(
    const float *q, int64_t dim, float scale, const void *keys, const void *values, int32_t half, int64_t slot_stride,
    const int32_t *slots, int64_t slot_count, int64_t chunk, int64_t zero_tokens, float *scratch, float *out);

/// dst[i] = (float16) src[i], rounding to nearest even.
void lm_to_half(const float *src, uint16_t *dst, int64_t n);
/// dst[i] = (float) src[i].
void lm_from_half(const uint16_t *src, float *dst, int64_t n);

#endif

/// Keeps blocks freed by malloc for reuse instead of returning them to the system (glibc mallopt: mmap
/// threshold 32 MiB, no trimming), so a loop that allocates the same large buffers every iteration does
/// not fault and zero fresh pages each time.
void lm_keep_freed_memory(void);

/// sum(a * b), in eight float lanes (so the loop vectorises without fast-math) then summed.
float lm_dot(const float *a, const float *b, int64_t n);
/// In place, the softmax's backward pass for one row: g = p * (g - sum(p * g)).
void lm_softmax_backward(const float *p, float *g, int64_t n);
