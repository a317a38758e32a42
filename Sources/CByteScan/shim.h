#ifndef AIMS_CBYTESCAN_SHIM_H
#define AIMS_CBYTESCAN_SHIM_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Scans over every byte a conversion reads or writes: what JSON must escape, and where a text
   stops being ASCII. In C, 16 bytes at a time with SSE2 where the machine has it (every x86-64
   does), because they run over all of a conversion's input and output: with Swift's 8-byte word
   tricks (`ByteWords`) they took about 1,500 more instructions a row of the benchmark's
   register. Elsewhere the same answers come a byte at a time. */

/// Whether JSON writes `byte` escaped: a control character (below 0x20), `"` or `\`.
static inline int aims_json_escapes(uint8_t byte) {
    return byte < 0x20 || byte == '"' || byte == '\\';
}

#if defined(__SSE2__)
/// A bit for each byte of a 16-byte block that a scan looks for (bit 0: the first byte).
typedef unsigned (*aims_block_test)(__m128i block);

/// The offset of the first of the `count` bytes at `bytes` that `test` flags, or `count` when
/// none is: 16 at a time, the last block overlapping the one before it (a text shorter than a
/// block is copied into one), so that nothing past the text is read.
static inline size_t aims_first_flagged(const uint8_t *bytes, size_t count, aims_block_test test) {
    if (count == 0) return 0;
    if (count < 16) {
        uint8_t padded[16] = {0};
        memcpy(padded, bytes, count);
        unsigned mask = test(_mm_loadu_si128((const __m128i *)padded)) & ((1u << count) - 1);
        return mask != 0 ? (size_t)__builtin_ctz(mask) : count;
    }
    size_t index = 0;
    for (; index + 16 <= count; index += 16) {
        unsigned mask = test(_mm_loadu_si128((const __m128i *)(bytes + index)));
        if (mask != 0) return index + (size_t)__builtin_ctz(mask);
    }
    if (index == count) return count;
    /* The 16 bytes that end the text, of which those not tested yet. */
    size_t start = count - 16;
    unsigned mask = test(_mm_loadu_si128((const __m128i *)(bytes + start))) & (0xFFFFu << (index - start));
    return mask != 0 ? start + (size_t)__builtin_ctz(mask) : count;
}

/// The bytes of `block` that JSON writes escaped (see `aims_json_escapes`).
static inline unsigned aims_json_escape_mask(__m128i block) {
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), highestControl = _mm_set1_epi8(0x1F);
    __m128i isControl = _mm_cmpeq_epi8(_mm_min_epu8(block, highestControl), block);
    __m128i isQuoteOrBackslash = _mm_or_si128(_mm_cmpeq_epi8(block, quote), _mm_cmpeq_epi8(block, backslash));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(isControl, isQuoteOrBackslash));
}

/// The bytes of `block` that are not ASCII (their high bit set).
static inline unsigned aims_non_ascii_mask(__m128i block) {
    return (unsigned)_mm_movemask_epi8(block);
}
#endif

/// The offset of the first byte of the `count` at `bytes` that JSON writes escaped (see
/// `aims_json_escapes`), or `count` when there is none.
static inline size_t aims_json_first_escape(const uint8_t *bytes, size_t count) {
#if defined(__SSE2__)
    return aims_first_flagged(bytes, count, aims_json_escape_mask);
#else
    size_t index = 0;
    while (index < count && !aims_json_escapes(bytes[index])) index++;
    return index;
#endif
}

/// The offset of the first byte of the `count` at `bytes` that is not ASCII (0x80 or above), or
/// `count` when all are.
static inline size_t aims_ascii_prefix(const uint8_t *bytes, size_t count) {
#if defined(__SSE2__)
    return aims_first_flagged(bytes, count, aims_non_ascii_mask);
#else
    size_t index = 0;
    while (index < count && bytes[index] < 0x80) index++;
    return index;
#endif
}
#endif
