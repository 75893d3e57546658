#include "CLongMemKernels.h"

#include <math.h>
#include <string.h>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

// ---- exp, tanh, erf: branch-free scalar forms that the loop vectoriser turns into 8-lane code ----

static const float exp_lower = -87.33654f;
static const float exp_upper = 88.72283f;

// e^x: Cody-Waite reduction x = n ln2 + r, the Cephes expf polynomial for e^r, and 2^n built in the
// exponent bits. Accurate to about 2 ulp.
static inline float exp_approx(float x) {
    float clamped = x < exp_lower ? exp_lower : (x > exp_upper ? exp_upper : x);
    float n = rintf(clamped * 1.44269504088896341f);
    float r = clamped - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    float result = p * scale;
    return x < exp_lower ? 0.0f : result;
}

static inline float tanh_approx(float x) { return 1.0f - 2.0f / (exp_approx(2.0f * x) + 1.0f); }

// erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7), odd extension.
static inline float erf_approx(float x) {
    float sign = x < 0.0f ? -1.0f : 1.0f;
    float a = x * sign;
    float t = 1.0f / (1.0f + 0.3275911f * a);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    p = p * t;
    return sign * (1.0f - p * exp_approx(-a * a));
}

// ---- reductions ----

float lm_max(const float *x, int64_t n) {
    float best = -INFINITY;
    int64_t i = 0;
#if defined(__AVX2__)
    __m256 acc0 = _mm256_set1_ps(-INFINITY), acc1 = acc0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_max_ps(acc0, _mm256_loadu_ps(x + i));
        acc1 = _mm256_max_ps(acc1, _mm256_loadu_ps(x + i + 8));
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, _mm256_max_ps(acc0, acc1));
    for (int k = 0; k < 8; k++) best = lanes[k] > best ? lanes[k] : best;
#endif
    for (; i < n; i++) best = x[i] > best ? x[i] : best;
    return best;
}

double lm_sum(const float *x, int64_t n) {
    // 16 float partial sums per block of 1024, then double: float error stays below 1e-6 relative.
    double total = 0.0;
    for (int64_t start = 0; start < n; start += 1024) {
        int64_t end = start + 1024 < n ? start + 1024 : n;
        float partial[16] = {0};
        int64_t i = start;
        for (; i + 16 <= end; i += 16)
            for (int k = 0; k < 16; k++) partial[k] += x[i + k];
        for (; i < end; i++) partial[0] += x[i];
        for (int k = 0; k < 16; k++) total += partial[k];
    }
    return total;
}

double lm_sum_exp_shifted(const float *x, int64_t n, float shift) {
    double total = 0.0;
    for (int64_t start = 0; start < n; start += 1024) {
        int64_t end = start + 1024 < n ? start + 1024 : n;
        float partial[16] = {0};
        int64_t i = start;
        for (; i + 16 <= end; i += 16)
            for (int k = 0; k < 16; k++) partial[k] += exp_approx(x[i + k] - shift);
        for (; i < end; i++) partial[0] += exp_approx(x[i] - shift);
        for (int k = 0; k < 16; k++) total += partial[k];
    }
    return total;
}

double lm_log_sum_exp(const float *x, int64_t n) {
    if (n <= 0) return -INFINITY;
    float peak = lm_max(x, n);
    return (double)peak + log(lm_sum_exp_shifted(x, n, peak));
}

int64_t lm_argmax(const float *x, int64_t n) {
    if (n <= 0) return 0;
    float peak = lm_max(x, n);
    for (int64_t i = 0; i < n; i++)
        if (x[i] == peak) return i;
    return 0;  // only when x holds NaN
}

// ---- softmax ----

void lm_exp(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = exp_approx(x[i]);
}

// In place: x = exp(x - peak); returns the sum (16 float partial sums per row, rows are short).
static double exp_shifted_in_place(float *x, int64_t n, float peak) {
    float partial[16] = {0};
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++) {
            float e = exp_approx(x[i + k] - peak);
            x[i + k] = e;
            partial[k] += e;
        }
    double total = 0.0;
    for (; i < n; i++) {
        x[i] = exp_approx(x[i] - peak);
        total += x[i];
    }
    for (int k = 0; k < 16; k++) total += partial[k];
    return total;
}

float lm_softmax(float *x, int64_t n) {
    if (n <= 0) return -INFINITY;
    float peak = lm_max(x, n);
    double total = exp_shifted_in_place(x, n, peak);
    float scale = (float)(1.0 / total);
    for (int64_t i = 0; i < n; i++) x[i] *= scale;
    return peak + (float)log(total);
}

float lm_alibi_softmax(float *x, int64_t n, float slope) {
    if (n <= 0) return -INFINITY;
    if (slope != 0.0f) {
        const float last = (float)(n - 1);
        for (int64_t j = 0; j < n; j++) x[j] -= slope * (last - (float)j);
    }
    return lm_softmax(x, n);
}

// ---- activations ----

void lm_gelu_tanh(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        float v = x[i];
        x[i] = 0.5f * v * (1.0f + tanh_approx(0.7978845608028654f * (v + 0.044715f * v * v * v)));
    }
}

void lm_gelu_erf(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = 0.5f * x[i] * (1.0f + erf_approx(x[i] * 0.7071067811865476f));
}

void lm_silu(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = x[i] / (1.0f + exp_approx(-x[i]));
}

// ---- normalisation ----

void lm_layer_norm(const float *x, float *y, const float *w, const float *b, int64_t n, float eps) {
    float mean = (float)(lm_sum(x, n) / (double)n);
    float squares[16] = {0};
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++) {
            float c = x[i + k] - mean;
            squares[k] += c * c;
        }
    for (; i < n; i++) squares[0] += (x[i] - mean) * (x[i] - mean);
    double variance = 0.0;
    for (int k = 0; k < 16; k++) variance += squares[k];
    float inverse = (float)(1.0 / sqrt(variance / (double)n + (double)eps));
    for (i = 0; i < n; i++) y[i] = (x[i] - mean) * inverse * w[i] + b[i];
}

void lm_rms_norm(const float *x, float *y, const float *w, int64_t n, float eps) {
    float squares[16] = {0};
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++) squares[k] += x[i + k] * x[i + k];
    for (; i < n; i++) squares[0] += x[i] * x[i];
    double total = 0.0;
    for (int k = 0; k < 16; k++) total += squares[k];
    float inverse = (float)(1.0 / sqrt(total / (double)n + (double)eps));
    for (i = 0; i < n; i++) y[i] = x[i] * inverse * w[i];
}

// ---- retrieval ----

// Inserts (value, index) into the descending list best[0 ..< n]; ties keep the earlier index first.
static void insert_ranked(float value, int32_t index, int64_t n, float *best, int32_t *ids) {
    int64_t position = n - 1;
    while (position > 0 && value > best[position - 1]) {
        best[position] = best[position - 1];
        ids[position] = ids[position - 1];
        position--;
    }
    best[position] = value;
    ids[position] = index;
}

// Inserts every x[i], i in [start, count), that beats the current n-th best (index ids[i], or base + i when
// ids is NULL). Most candidates lose, so blocks are skipped whole: 32 values are reduced to 8 maxima and
// tested with one comparison, then the surviving 8-value groups lane by lane.
static void scan_ranked(
    const float *x, int64_t start, int64_t count, const int32_t *ids, int32_t base, int64_t n, float *best,
    int32_t *best_ids) {
    float threshold = best[n - 1];
    int64_t i = start;
#if defined(__AVX2__)
    for (; i + 32 <= count; i += 32) {
        __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
        __m256 c = _mm256_loadu_ps(x + i + 16), d = _mm256_loadu_ps(x + i + 24);
        __m256 peak = _mm256_max_ps(_mm256_max_ps(a, b), _mm256_max_ps(c, d));
        if (!_mm256_movemask_ps(_mm256_cmp_ps(peak, _mm256_set1_ps(threshold), _CMP_GT_OQ))) continue;
        for (int64_t group = i; group < i + 32; group += 8) {
            int mask = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + group), _mm256_set1_ps(threshold), _CMP_GT_OQ));
            while (mask) {
                int lane = __builtin_ctz(mask);
                mask &= mask - 1;
                if (x[group + lane] > threshold) {
                    insert_ranked(x[group + lane], ids ? ids[group + lane] : base + (int32_t)(group + lane), n, best, best_ids);
                    threshold = best[n - 1];
                }
            }
        }
    }
    for (; i + 8 <= count; i += 8) {
        int mask = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + i), _mm256_set1_ps(threshold), _CMP_GT_OQ));
        while (mask) {
            int lane = __builtin_ctz(mask);
            mask &= mask - 1;
            if (x[i + lane] > threshold) {
                insert_ranked(x[i + lane], ids ? ids[i + lane] : base + (int32_t)(i + lane), n, best, best_ids);
                threshold = best[n - 1];
            }
        }
    }
#endif
    for (; i < count; i++)
        if (x[i] > threshold) {
            insert_ranked(x[i], ids ? ids[i] : base + (int32_t)i, n, best, best_ids);
            threshold = best[n - 1];
        }
}

void lm_top_k(const float *x, int64_t count, int64_t n, int32_t *out_index, float *out_value) {
    for (int64_t i = 0; i < n; i++) {
        out_value[i] = -INFINITY;
        out_index[i] = -1;
    }
    if (n <= 0) return;
    int64_t i = 0;
    int64_t filled = 0;
    for (; i < count && filled < n; i++, filled++) insert_ranked(x[i], (int32_t)i, filled + 1, out_value, out_index);
    scan_ranked(x, i, count, NULL, 0, n, out_value, out_index);
}

void lm_top_k_merge(
    const float *x, int64_t count, const int32_t *ids, int32_t base, int64_t n, int32_t *best_index, float *best_value) {
    if (n <= 0) return;
    scan_ranked(x, 0, count, ids, base, n, best_value, best_index);
}

void lm_to_half(const float *src, uint16_t *dst, int64_t n) {
    _Float16 *half = (_Float16 *)dst;
    for (int64_t i = 0; i < n; i++) half[i] = (_Float16)src[i];
}

void lm_from_half(const uint16_t *src, float *dst, int64_t n) {
    const _Float16 *half = (const _Float16 *)src;
    for (int64_t i = 0; i < n; i++) dst[i] = (float)half[i];
}

// One stored row as floats.
static inline void load_row(const void *base, int32_t half, int64_t offset, int64_t dim, float *row) {
    if (half) {
        const _Float16 *source = (const _Float16 *)base + offset;
        for (int64_t d = 0; d < dim; d++) row[d] = (float)source[d];
    } else {
        memcpy(row, (const float *)base + offset, (size_t)dim * sizeof(float));
    }
}

float lm_memory_attention(
    const float *q, int64_t dim, float scale, const void *keys, const void *values, int32_t half, int64_t slot_stride,
    const int32_t *slots, int64_t slot_count, int64_t chunk, int64_t zero_tokens, float *scratch, float *out) {
    const int64_t tokens = slot_count * chunk;
    float *row = scratch + tokens;
    float peak = zero_tokens > 0 ? 0.0f : -INFINITY;
    for (int64_t s = 0; s < slot_count; s++)
        for (int64_t t = 0; t < chunk; t++) {
            load_row(keys, half, (int64_t)slots[s] * slot_stride + t * dim, dim, row);
            float dot = 0.0f;
            for (int64_t d = 0; d < dim; d++) dot += q[d] * row[d];
            float logit = dot * scale;
            scratch[s * chunk + t] = logit;
            peak = logit > peak ? logit : peak;
        }
    double total = zero_tokens > 0 ? (double)zero_tokens * (double)exp_approx(0.0f - peak) : 0.0;
    for (int64_t j = 0; j < tokens; j++) {
        scratch[j] = exp_approx(scratch[j] - peak);
        total += scratch[j];
    }
    for (int64_t d = 0; d < dim; d++) out[d] = 0.0f;
    const float inverse = (float)(1.0 / total);
    for (int64_t s = 0; s < slot_count; s++)
        for (int64_t t = 0; t < chunk; t++) {
            load_row(values, half, (int64_t)slots[s] * slot_stride + t * dim, dim, row);
            const float weight = scratch[s * chunk + t] * inverse;
            for (int64_t d = 0; d < dim; d++) out[d] += weight * row[d];
        }
    return peak + (float)log(total);
}

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void lm_keep_freed_memory(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
#endif
}

float lm_dot(const float *a, const float *b, int64_t n) {
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int k = 0; k < 8; k++) lanes[k] += a[i + k] * b[i + k];
    }
    float total = 0;
    for (; i < n; i++) total += a[i] * b[i];
    for (int k = 0; k < 8; k++) total += lanes[k];
    return total;
}

void lm_softmax_backward(const float *p, float *g, int64_t n) {
    const float dot = lm_dot(p, g, n);
    for (int64_t j = 0; j < n; j++) g[j] = p[j] * (g[j] - dot);
}
