// Every bound of the PID space and the process directory, in one place (as xv6's param.h): the PID range,
// the size of one lease, how many lease records and directory entries the replicated state keeps, and the
// sizes of the strings and pages that travel in commands and answers.

/** The first PID ever granted: the first lease starts here. */
export const PID_FIRST = 1;
/** The last PID (pid_t is signed 32-bit; 0x7fff_ffff stays unused, as Linux's pid_max stops below it). */
export const PID_LAST = 0x7fff_fffe;
/** PIDs one lease command may ask for. */
export const LEASE_COUNT_MAX = 65_536;
/** Lease records kept; past it the oldest record is retired (its PIDs stay granted, never reused). */
export const LEASE_TABLE_MAX = 65_536;
/** Directory entries (running and zombie processes) at once; a place beyond it is refused. */
export const DIRECTORY_MAX = 65_536;
/** Reaped PIDs remembered (oldest dropped first), so a late duplicate place cannot bring one back. */
export const REAPED_MAX = 65_536;
/** Bytes (UTF-8) of a directory entry's program name. */
export const PROGRAM_MAX_BYTES = 256;
/** Bytes of a node id in a command (as a cluster config allows). */
export const NODE_NAME_MAX_BYTES = 64;
/** Bytes of a client session id (a node id, its incarnation and a lane). */
export const SESSION_ID_MAX_BYTES = 160;
/** Client sessions the replicated state remembers (least recently used evicted). */
export const SSI_SESSIONS_MAX = 4096;
/** Directory entries one list answer carries; `atoll ps` pages through more. */
export const LIST_PAGE_MAX = 1024;
/** Cluster-wide IPC endpoint names bound at once; a bind beyond it is refused. */
export const NAMES_MAX = 4096;
/** Voters of the procs Raft group in a simulated cluster run; further nodes follow the log as learners. */
export const PROCS_VOTERS_MAX = 5;
