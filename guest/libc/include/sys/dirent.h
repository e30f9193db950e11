/* <dirent.h> (through <sys/dirent.h>) of Atoll's C library: directories read with getdents64 (src/dir.c).
 * picolibc's own sys/dirent.h only says directories are not supported. */
#ifndef _SYS_DIRENT_H
#define _SYS_DIRENT_H

#include <sys/types.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_BLK     6
#define DT_REG     8
#define DT_LNK     10
#define DT_SOCK    12

/* The record getdents64 fills (linux_dirent64), given to the caller as it is. */
struct dirent {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[256];
};

typedef struct __dirstream DIR;

#ifdef __cplusplus
}
#endif
#endif /* _SYS_DIRENT_H */
