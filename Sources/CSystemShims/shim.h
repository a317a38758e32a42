#ifndef AIMS_CSYSTEM_SHIMS_H
#define AIMS_CSYSTEM_SHIMS_H
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>

#ifdef __linux__
/* Declared by <fcntl.h> only under _GNU_SOURCE, which Swift's Glibc module is built without;
   glibc has exported it since 2.6. */
extern int sync_file_range(int fd, int64_t offset, int64_t count, unsigned int flags);
/* Declared by <unistd.h> only under _GNU_SOURCE; glibc has exported it since 2.30. */
extern int gettid(void);
#endif

/// Starts writing the `count` bytes at `offset` of file `fd` back to the disk, without waiting
/// for them (Linux `sync_file_range` with `SYNC_FILE_RANGE_WRITE`); elsewhere does nothing.
/// Returns 0, or -1 with `errno` set.
static inline int aims_start_writeback(int fd, int64_t offset, int64_t count) {
#ifdef __linux__
    return sync_file_range(fd, offset, count, 2 /* SYNC_FILE_RANGE_WRITE */);
#else
    (void)fd; (void)offset; (void)count;
    return 0;
#endif
}
/// Turns direct I/O on (`on` nonzero) or off for file `fd`: Linux `O_DIRECT`, under which writes
/// go from the caller's memory to the disk without a copy in the page cache, and must start,
/// end and lie in memory at multiples of the disk's block size. glibc names the flag `O_DIRECT`
/// only under _GNU_SOURCE, `__O_DIRECT` always. Elsewhere fails with `ENOTSUP`. Returns 0, or -1
/// with `errno` set (`EINVAL` where the file system has no direct I/O).
static inline int aims_set_direct_io(int fd, int on) {
#ifdef __linux__
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, on ? (flags | __O_DIRECT) : (flags & ~__O_DIRECT));
#else
    (void)fd; (void)on;
    errno = ENOTSUP;
    return -1;
#endif
}
/// Makes the calling thread yield to the process's other threads when they compete for the
/// cores (Linux: raises the thread's nice value by `increment`, which a thread may always do);
/// elsewhere does nothing. Returns 0, or -1 with `errno` set.
static inline int aims_lower_thread_priority(int increment) {
#ifdef __linux__
    int tid = gettid();
    return setpriority(PRIO_PROCESS, (id_t)tid, getpriority(PRIO_PROCESS, (id_t)tid) + increment);
#else
    (void)increment;
    return 0;
#endif
}
#endif
