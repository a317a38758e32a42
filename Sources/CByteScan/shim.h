#ifndef AIMS_CBYTESCAN_SHIM_H
#define AIMS_CBYTESCAN_SHIM_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Scans over every byte a conversion reads or writes, and every cell of a CSV report: what JSON
   must escape (and where a JSON string's plain text ends), where a text stops being ASCII, what
   a CSV cell must be quoted for. In C, 16 bytes at a time with SSE2 where the machine has it
   (every x86-64 does), because they run over all of a conversion's input and output: with Swift's
   8-byte word tricks they took about 1,500 more instructions a row of the benchmark's register.
   Elsewhere the same answers come a byte at a time. */

/// Whether JSON writes `byte` escaped: a control character (below 0x20), `"` or `\`.
static inline int aims_json_escapes(uint8_t byte) {
    return byte < 0x20 || byte == '"' || byte == '\\';
}

/// Whether a CSV cell holding `byte` must be quoted: a comma, `"`, LF or CR.
static inline int aims_csv_needs_quotes(uint8_t byte) {
    return byte == ',' || byte == '"' || byte == '\n' || byte == '\r';
}

/// Whether `byte` is not ASCII (0x80 or above).
static inline int aims_is_non_ascii(uint8_t byte) {
    return byte >= 0x80;
}

/// A byte that a scan looks for (one of the three tests above).
typedef int (*aims_byte_test)(uint8_t byte);

/// The offset of the first of the `count` bytes at `bytes` that `test` flags, or `count` when
/// none is, a byte at a time: the scans where there is no SSE2.
static inline size_t aims_first_byte(const uint8_t *bytes, size_t count, aims_byte_test test) {
    size_t index = 0;
    while (index < count && !test(bytes[index])) index++;
    return index;
}

#if defined(__SSE2__)
/// A bit for each byte of a 16-byte block that a scan looks for (bit 0: the first byte).
typedef unsigned (*aims_block_test)(__m128i block);

/// `aims_first_flagged` for 1 to 15 bytes, without reading past them or calling `memcpy` (a call
/// for every short string was more than the scan): the first and last 8 bytes (or 4) side by
/// side in one block, overlapping in the middle; 1 to 3 bytes alone.
static inline size_t aims_first_flagged_short(const uint8_t *bytes, size_t count, aims_block_test test) {
    uint64_t low, high = 0;
    size_t highStart = 0;
    unsigned valid;
    if (count >= 8) {
        memcpy(&low, bytes, 8);
        memcpy(&high, bytes + count - 8, 8);
        highStart = count - 8;
        valid = 0xFFFFu;
    } else if (count >= 4) {
        uint32_t first, last;
        memcpy(&first, bytes, 4);
        memcpy(&last, bytes + count - 4, 4);
        low = first;
        high = last;
        highStart = count - 4;
        valid = 0x0F0Fu;
    } else {
        low = bytes[0];
        if (count > 1) low |= (uint64_t)bytes[1] << 8;
        if (count > 2) low |= (uint64_t)bytes[2] << 16;
        valid = (1u << count) - 1;
    }
    unsigned mask = test(_mm_set_epi64x((long long)high, (long long)low)) & valid;
    if (mask == 0) return count;
    /* A flag in the high half is past the low half's bytes, none of which is flagged. */
    size_t bit = (size_t)__builtin_ctz(mask);
    return bit < 8 ? bit : highStart + (bit - 8);
}

/// The offset of the first of the `count` bytes at `bytes` that `test` flags, or `count` when
/// none is: 16 at a time, the last block overlapping the one before it (a text shorter than a
/// block: see `aims_first_flagged_short`), so that nothing past the text is read.
static inline size_t aims_first_flagged(const uint8_t *bytes, size_t count, aims_block_test test) {
    if (count == 0) return 0;
    if (count < 16) return aims_first_flagged_short(bytes, count, test);
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

/// The bytes of `block` a CSV cell is quoted for (see `aims_csv_needs_quotes`).
static inline unsigned aims_csv_quote_mask(__m128i block) {
    const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    __m128i commaOrQuote = _mm_or_si128(_mm_cmpeq_epi8(block, comma), _mm_cmpeq_epi8(block, quote));
    __m128i lineBreak = _mm_or_si128(_mm_cmpeq_epi8(block, lf), _mm_cmpeq_epi8(block, cr));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(commaOrQuote, lineBreak));
}

/// The bytes of `block` that are not ASCII (their high bit set).
static inline unsigned aims_non_ascii_mask(__m128i block) {
    return (unsigned)_mm_movemask_epi8(block);
}
#endif

/// A scan with the block test `mask` where there is SSE2, else with the byte test `test`: the
/// one place the choice is made (without SSE2 the block tests are not even defined).
#if defined(__SSE2__)
#define AIMS_SCAN(bytes, count, mask, test) aims_first_flagged(bytes, count, mask)
#else
#define AIMS_SCAN(bytes, count, mask, test) aims_first_byte(bytes, count, test)
#endif

/// The offset of the first byte of the `count` at `bytes` that JSON writes escaped (see
/// `aims_json_escapes`), or `count` when there is none.
static inline size_t aims_json_first_escape(const uint8_t *bytes, size_t count) {
    return AIMS_SCAN(bytes, count, aims_json_escape_mask, aims_json_escapes);
}

/// The offset of the first byte of the `count` at `bytes` that is not ASCII (0x80 or above), or
/// `count` when all are.
static inline size_t aims_ascii_prefix(const uint8_t *bytes, size_t count) {
    return AIMS_SCAN(bytes, count, aims_non_ascii_mask, aims_is_non_ascii);
}

/// The offset of the first byte of the `count` at `bytes` that a CSV cell is quoted for (see
/// `aims_csv_needs_quotes`), or `count` when there is none.
static inline size_t aims_csv_first_quoted(const uint8_t *bytes, size_t count) {
    return AIMS_SCAN(bytes, count, aims_csv_quote_mask, aims_csv_needs_quotes);
}

/// Whether the `count` bytes at `bytes` are well-formed UTF-8 (the Unicode standard's table 3-7:
/// no overlong forms, no surrogates, nothing past U+10FFFF): ASCII skipped 16 bytes at a time,
/// each other sequence checked on its own. In C because the CSV reader checks every row with
/// it; the same loop in Swift, calling the ASCII scan between sequences, took about 725
/// instructions for a row of the benchmark's register (most rows hold a few non-ASCII letters).
static inline int aims_utf8_valid(const uint8_t *bytes, size_t count) {
    if (count == 0) return 1;
    size_t index = 0;
    for (;;) {
        index += aims_ascii_prefix(bytes + index, count - index);
        if (index >= count) return 1;
        uint8_t lead = bytes[index];
        /* The sequence's length, and the range its second byte must be in. */
        size_t length;
        uint8_t low = 0x80, high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) length = 2;
        else if (lead == 0xE0) { length = 3; low = 0xA0; }
        else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) length = 3;
        else if (lead == 0xED) { length = 3; high = 0x9F; }
        else if (lead == 0xF0) { length = 4; low = 0x90; }
        else if (lead >= 0xF1 && lead <= 0xF3) length = 4;
        else if (lead == 0xF4) { length = 4; high = 0x8F; }
        else return 0;
        if (count - index < length || bytes[index + 1] < low || bytes[index + 1] > high) return 0;
        for (size_t offset = 2; offset < length; offset++) {
            if ((bytes[index + offset] & 0xC0) != 0x80) return 0;
        }
        index += length;
    }
}
#endif
