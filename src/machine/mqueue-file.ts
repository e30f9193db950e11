// A message-queue descriptor's file (mq_open's open file description holds one): the queue it holds in its
// namespace, the directions the open allowed, and what the other descriptor calls do with it, as Linux's
// queue file system answers them (read gives the attribute line, llseek sees an 80-byte file, write is EINVAL,
// statx a regular file). The calls that need the namespace go through the server that made it (mqueue.ts).
import { hostIds } from '../base/index.js';
import { EBADF, EINVAL, S_IFREG, SEEK_SET, SEEK_CUR, SEEK_END } from './abi.js';
import type { FileStat } from '../vfs/index.js';
import type { HostAnswer, HostCall } from './hostcall.js';
import type { MqQueue, MqueueNamespace } from './mqueue-namespace.js';

/** The size Linux gives a queue's inode (FILENT_SIZE): llseek's SEEK_END and FIONREAD count from it. */
export const MQ_FILE_BYTES = 80;

/** The open file description a file sits in, as far as the file needs it (descriptors.ts's Description). */
export interface MqueueDescription {
  offset: number;
  retain(): unknown;
  release(): void;
}

/** What the file needs of the server that made it. */
export interface MqueueFileServer {
  readonly namespace: MqueueNamespace;
  /** read(2) of the descriptor: the attribute line from the offset (or pos) on. */
  readText(call: HostCall, d: MqueueDescription, f: MqueueFile, n: number, sink: (bytes: Uint8Array) => boolean, pos?: number): HostAnswer;
}

export class MqueueFile {
  readonly kind = 'mqueue';
  private released = false;

  constructor(private readonly server: MqueueFileServer, readonly queue: MqQueue, readonly canRead: boolean, readonly canWrite: boolean) {}

  /** The description's last descriptor closed. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.server.namespace.close(this.queue);
  }

  /** Process pid closed a descriptor of it: its notification goes (Linux's mqueue_flush_file). */
  flush(pid: number): void {
    this.server.namespace.notify(this.queue, pid, null, () => {});
  }

  /** read(2) and pread64 of the descriptor: the attribute text at pos (the description's offset when undefined). */
  read(call: HostCall, d: MqueueDescription, n: number, sink: (bytes: Uint8Array) => boolean, pos?: number): HostAnswer {
    if (!this.canRead) return -EBADF;
    return this.server.readText(call, d, this, n, sink, pos);
  }

  /** write(2): Linux's queue file has no write operation. */
  write(): number {
    return this.canWrite ? -EINVAL : -EBADF;
  }

  /** llseek (Linux's default_llseek over an inode of MQ_FILE_BYTES): the new offset, or -EINVAL. */
  seek(d: MqueueDescription, off: number, whence: number): number {
    const pos = whence === SEEK_SET ? off : whence === SEEK_CUR ? d.offset + off : whence === SEEK_END ? MQ_FILE_BYTES + off : -1;
    if (pos < 0 || whence > SEEK_END) return -EINVAL;
    d.offset = pos;
    return pos;
  }

  /** FIONREAD: what is left of the inode's size past the offset (Linux's answer for a regular file). */
  unread(d: MqueueDescription): number {
    return MQ_FILE_BYTES - d.offset;
  }

  stat(): FileStat {
    const { uid, gid } = hostIds();
    return {
      kind: 'file', mode: S_IFREG | this.queue.mode, ino: BigInt(this.queue.ino), dev: 0n, rdev: 0n, nlink: 1, uid, gid,
      size: BigInt(MQ_FILE_BYTES), blocks: 0n, blksize: 4096, atime_ns: 0n, mtime_ns: 0n, ctime_ns: 0n, birthtime_ns: 0n,
    };
  }
}
