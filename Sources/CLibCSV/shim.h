#ifndef AIMS_CLIBCSV_SHIM_H
#define AIMS_CLIBCSV_SHIM_H
#include <csv.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// A libcsv space function that treats no character as a space, so that libcsv keeps the
/// leading and trailing spaces of unquoted fields (by default it trims spaces and tabs).
/// In C because libcsv calls it for every byte it reads.
static inline int aims_csv_no_spaces(unsigned char c) { (void)c; return 0; }

/// Bit masks of 64 bytes (bit i for byte i): quotes, field edges (the delimiter, CR, LF) and
/// spaces (space or tab, unless the delimiter).
typedef struct { uint64_t quotes, edges, spaces; } aims_csv_classes;

/// `aims_csv_classify` a byte at a time: what it is without SSE2, and what a test compares it
/// with where it has SSE2.
static inline aims_csv_classes aims_csv_classify_bytewise(const unsigned char *block, unsigned char delimiter) {
    aims_csv_classes classes = {0, 0, 0};
    for (int index = 0; index < 64; index++) {
        unsigned char byte = block[index];
        uint64_t bit = (uint64_t)1 << index;
        if (byte == '"') classes.quotes |= bit;
        if (byte == delimiter || byte == '\r' || byte == '\n') classes.edges |= bit;
        else if (byte == ' ' || byte == '\t') classes.spaces |= bit;
    }
    return classes;
}

/// The classes of the 64 bytes at `block`.
static inline aims_csv_classes aims_csv_classify(const unsigned char *block, unsigned char delimiter) {
#if defined(__SSE2__)
    aims_csv_classes classes = {0, 0, 0};
    const __m128i quote = _mm_set1_epi8('"'), comma = _mm_set1_epi8((char)delimiter);
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    const __m128i space = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
    for (int part = 0; part < 4; part++) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(block + 16 * part));
        __m128i isDelimiter = _mm_cmpeq_epi8(bytes, comma);
        __m128i isEdge = _mm_or_si128(isDelimiter, _mm_or_si128(_mm_cmpeq_epi8(bytes, cr), _mm_cmpeq_epi8(bytes, lf)));
        __m128i isSpace = _mm_andnot_si128(isEdge, _mm_or_si128(_mm_cmpeq_epi8(bytes, space), _mm_cmpeq_epi8(bytes, tab)));
        classes.quotes |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, quote)) << (16 * part);
        classes.edges |= (uint64_t)(uint16_t)_mm_movemask_epi8(isEdge) << (16 * part);
        classes.spaces |= (uint64_t)(uint16_t)_mm_movemask_epi8(isSpace) << (16 * part);
    }
    return classes;
#else
    return aims_csv_classify_bytewise(block, delimiter);
#endif
}

/// Whether libcsv, in strict mode and with its default space test (spaces and tabs other than
/// the delimiter), reads `line` exactly as it reads it with `aims_csv_no_spaces`, when the line
/// starts a record: true when no space or tab outside quotes is at a field's start or end (the
/// line's ends, a delimiter, a CR or LF, a closing quote), the only places where libcsv's answer
/// to whether a byte is a space changes what it reads. (A space inside an unquoted field before
/// a quote is a strict-mode error read alike either way.)
///
/// Those lines are parsed without a space function: libcsv then calls none for every byte of
/// an unquoted field, which took a seventh of a CSV conversion's CPU time. This is a scan for
/// one byte pattern, not a CSV parser: libcsv still reads every line, and a line this test
/// cannot vouch for is read with the space function as before. In C, 64 bytes at a time (bit
/// masks; which bytes are inside quotes is the prefix XOR of the quotes' mask), because it runs
/// over every byte of the input.
static inline int aims_csv_trims_nothing(const unsigned char *line, size_t count, unsigned char delimiter) {
    /// All ones when the byte before the block is inside quotes.
    uint64_t quotedBefore = 0;
    /// Bit 0: the byte before the block is an edge a space may not follow (the line's start too).
    uint64_t edgeBefore = 1;
    /// Bit 0: the byte before the block is a space outside quotes.
    uint64_t spaceBefore = 0;
    for (size_t start = 0; start < count; start += 64) {
        size_t length = count - start < 64 ? count - start : 64;
        aims_csv_classes classes;
        if (length == 64) {
            classes = aims_csv_classify(line + start, delimiter);
        } else {
            // The last bytes, padded with NULs (none of the classes).
            unsigned char padded[64] = {0};
            memcpy(padded, line + start, length);
            classes = aims_csv_classify(padded, delimiter);
        }
        // Bit i set: an odd number of quotes up to byte i, and those before the block. An
        // opening quote is inside, a closing quote outside.
        uint64_t inside = classes.quotes;
        inside ^= inside << 1;
        inside ^= inside << 2;
        inside ^= inside << 4;
        inside ^= inside << 8;
        inside ^= inside << 16;
        inside ^= inside << 32;
        inside ^= quotedBefore;
        uint64_t spaces = classes.spaces & ~inside;
        uint64_t edges = classes.edges & ~inside;
        // A closing quote ends a field too: a space may not follow it.
        uint64_t edgesOrClosingQuotes = edges | (classes.quotes & ~inside);
        if ((spaces & ((edgesOrClosingQuotes << 1) | edgeBefore)) | (edges & ((spaces << 1) | spaceBefore))) return 0;
        if (length < 64) return !((spaces >> (length - 1)) & 1);
        quotedBefore = (uint64_t)0 - (inside >> 63);
        edgeBefore = edgesOrClosingQuotes >> 63;
        spaceBefore = spaces >> 63;
    }
    return !spaceBefore;
}
/// Why the row being read is rejected: a limit one of its fields went over.
typedef enum {
    AIMS_CSV_WITHIN_LIMITS = 0,
    /// Field `aims_csv_row_fields.overLimitField` is larger than `maxFieldBytes`.
    AIMS_CSV_FIELD_TOO_LARGE = 1,
    /// The row has more than `maxFields` fields.
    AIMS_CSV_TOO_MANY_FIELDS = 2,
} aims_csv_limit;

/// Memory for `count` elements of `elementSize` bytes that doubles when full, and goes back to
/// its starting capacity when emptied after growing past a given size: the one mechanism behind
/// both buffers of `aims_csv_row_fields`.
typedef struct {
    void *elements;
    size_t count, capacity, startingCapacity, elementSize;
} aims_csv_buffer;

/// Sets up `buffer` empty, with room for `capacity` elements. Returns 0, or -1 when the memory
/// could not be had.
static inline int aims_csv_buffer_init(aims_csv_buffer *buffer, size_t capacity, size_t elementSize) {
    buffer->elements = malloc(capacity * elementSize);
    buffer->count = 0;
    buffer->capacity = buffer->startingCapacity = capacity;
    buffer->elementSize = elementSize;
    return buffer->elements == NULL ? -1 : 0;
}

/// Grows `buffer` to hold `needed` elements, doubling. Running out of memory ends the process,
/// as it does in Swift.
static inline void aims_csv_buffer_grow(aims_csv_buffer *buffer, size_t needed) {
    size_t capacity = buffer->capacity * 2;
    while (capacity < needed) capacity *= 2;
    void *grown = realloc(buffer->elements, capacity * buffer->elementSize);
    if (grown == NULL) abort();
    buffer->elements = grown;
    buffer->capacity = capacity;
}

/// Makes room in `buffer` for `needed` elements in all.
static inline void aims_csv_buffer_reserve(aims_csv_buffer *buffer, size_t needed) {
    if (needed > buffer->capacity) aims_csv_buffer_grow(buffer, needed);
}

/// Empties `buffer`; memory grown past `reused` bytes goes back to the starting capacity.
static inline void aims_csv_buffer_clear(aims_csv_buffer *buffer, size_t reused) {
    buffer->count = 0;
    if (buffer->capacity * buffer->elementSize <= reused) return;
    void *smaller = realloc(buffer->elements, buffer->startingCapacity * buffer->elementSize);
    if (smaller != NULL) {
        buffer->elements = smaller;
        buffer->capacity = buffer->startingCapacity;
    }
}

/// The fields of the row libcsv is reading: their bytes back to back (`bytes`, of `unsigned
/// char`) and where each ends (`ends`, of `size_t`). libcsv's field callback
/// (`aims_csv_append_field`) appends to them; the row callback copies them out once the row is
/// complete. In C because the callback runs for every field of the input: the Swift closure it
/// replaces, reached through a thunk, took about 65 instructions a field beyond copying the
/// bytes, this about 50.
typedef struct {
    aims_csv_buffer bytes, ends;
    /// The limits: a field's bytes, the fields of a row, and the bytes a rejected row keeps.
    size_t maxFieldBytes, maxFields, keptWhenOver;
    aims_csv_limit overLimit;
    /// The 1-based number of the field that went over `maxFieldBytes`.
    size_t overLimitField;
} aims_csv_row_fields;

/// What libcsv's callbacks reach through their context pointer: the row's fields, and the
/// state of the reader that owns them (for the row callback).
typedef struct {
    aims_csv_row_fields fields;
    void *owner;
} aims_csv_context;

/// Sets up `fields` empty, with room for `bytes` bytes and `ends` fields, and the limits.
/// Returns 0, or -1 when the memory could not be had.
static inline int aims_csv_row_fields_init(aims_csv_row_fields *fields, size_t bytes, size_t ends, size_t maxFieldBytes,
                                           size_t maxFields, size_t keptWhenOver) {
    memset(fields, 0, sizeof *fields);
    fields->maxFieldBytes = maxFieldBytes;
    fields->maxFields = maxFields;
    fields->keptWhenOver = keptWhenOver;
    int bytesStarted = aims_csv_buffer_init(&fields->bytes, bytes, 1);
    int endsStarted = aims_csv_buffer_init(&fields->ends, ends, sizeof(size_t));
    return bytesStarted == 0 && endsStarted == 0 ? 0 : -1;
}

/// Frees the memory of `fields`.
static inline void aims_csv_row_fields_free(aims_csv_row_fields *fields) {
    free(fields->bytes.elements);
    free(fields->ends.elements);
    fields->bytes.elements = NULL;
    fields->ends.elements = NULL;
}

/// Empties `fields` for the next row, within the limits again; memory grown past `reused` bytes
/// (for each of the two buffers) goes back to its starting size.
static inline void aims_csv_row_fields_clear(aims_csv_row_fields *fields, size_t reused) {
    aims_csv_buffer_clear(&fields->bytes, reused);
    aims_csv_buffer_clear(&fields->ends, reused);
    fields->overLimit = AIMS_CSV_WITHIN_LIMITS;
    fields->overLimitField = 0;
}

/// Copies `count` bytes (`width` to `2 × width`) as two moves of `width` bytes, one from each
/// end, overlapping in the middle. With `width` a constant where it is inlined, the compiler
/// makes each move a plain load and store.
static inline void aims_csv_copy_ends(unsigned char *to, const unsigned char *from, size_t count, size_t width) {
    memcpy(to, from, width);
    memcpy(to + count - width, from + count - width, width);
}

/// Copies a field's `count` bytes (at least 1) into the row's bytes (never the same memory).
/// Most fields are a few bytes to a few dozen: those are copied with two overlapping moves of
/// fixed size (`aims_csv_copy_ends`), rather than by a call to `memcpy` for each field (about
/// 14 calls a row, measured as 1.7 % of the cycles of a CSV conversion). Reads and writes stay
/// within the `count` bytes.
static inline void aims_csv_copy_field(unsigned char *to, const void *from, size_t count) {
    const unsigned char *source = from;
    if (count > 32) memcpy(to, source, count);
    else if (count >= 16) aims_csv_copy_ends(to, source, count, 16);
    else if (count >= 8) aims_csv_copy_ends(to, source, count, 8);
    else if (count >= 4) aims_csv_copy_ends(to, source, count, 4);
    else for (size_t index = 0; index < count; index++) to[index] = source[index];
}

/// libcsv's field callback for a context that is an `aims_csv_context`: checks the limits and
/// appends the field. A row over a limit keeps only `keptWhenOver` bytes (what its rejection
/// shows), and past `maxFields` its fields are not even counted (a 4 MiB line of empty fields
/// would otherwise hold two million ends).
static inline void aims_csv_append_field(void *data, size_t length, void *context) {
    aims_csv_row_fields *fields = &((aims_csv_context *)context)->fields;
    size_t count = fields->ends.count;
    if (fields->overLimit == AIMS_CSV_WITHIN_LIMITS) {
        if (length > fields->maxFieldBytes) {
            fields->overLimit = AIMS_CSV_FIELD_TOO_LARGE;
            fields->overLimitField = count + 1;
        } else if (count >= fields->maxFields) {
            fields->overLimit = AIMS_CSV_TOO_MANY_FIELDS;
        }
    }
    if (data != NULL && length > 0) {
        size_t kept = length;
        if (fields->overLimit != AIMS_CSV_WITHIN_LIMITS) {
            size_t room = fields->bytes.count < fields->keptWhenOver ? fields->keptWhenOver - fields->bytes.count : 0;
            if (kept > room) kept = room;
        }
        if (kept > 0) {
            aims_csv_buffer_reserve(&fields->bytes, fields->bytes.count + kept);
            aims_csv_copy_field((unsigned char *)fields->bytes.elements + fields->bytes.count, data, kept);
            fields->bytes.count += kept;
        }
    }
    if (count <= fields->maxFields) {
        aims_csv_buffer_reserve(&fields->ends, count + 1);
        ((size_t *)fields->ends.elements)[count] = fields->bytes.count;
        fields->ends.count = count + 1;
    }
}
#endif
