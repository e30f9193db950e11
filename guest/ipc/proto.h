/* proto.h: the request format between guest/ipc/client.c and guest/ipc/daemon.c. */
#ifndef IPC_PROTO_H
#define IPC_PROTO_H
#include "atoll.h"

/* The daemon's endpoint name. */
#define GETPID_DAEMON IPC_NAME('g', 'e', 't', 'p')
/* Requests: one u32 opcode. Replies: one u32 (the daemon's getpid, or 0 for QUIT). */
#define OP_QUIT 0u
#define OP_GETPID 1u

/* The user counters (Zicsr): in Atoll's hart a cycle is a retired instruction. */
static inline uint32_t rdcycle(void) { uint32_t v; __asm__ volatile("rdcycle %0" : "=r"(v)); return v; }
static inline uint32_t rdinstret(void) { uint32_t v; __asm__ volatile("rdinstret %0" : "=r"(v)); return v; }
#endif
