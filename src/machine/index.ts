// The machine subsystem's public face: create a machine over a shared memory with the kernel, load a program into
// a process, run it with system calls served (descriptors, pipes, stdin and a file system among them), read its
// statistics, capture a process into an image and build it again on another machine (process-image*.ts).
export { Machine, RAM_BYTES_DEFAULT, CLOCK_HZ_DEFAULT, TIMEBASE_HZ_DEFAULT, type MachineOptions, type HartStats } from './machine.js';
export { Process, slotResult, SIGNAL_NUMBER, STACK_BYTES_MAX, QUANTUM_TICKS, type RunResult, type Signal, type ProcessOptions } from './process.js';
export { SYS, ENOSYS, EFAULT, EINVAL, EBADF, EPIPE, ENOTSUP, type GuestIO } from './syscalls.js';
export { copyFromUser, copyToUser, stringFromUser, userWritable } from './usermem.js';
export { compileKernel, compileKernelSync, instantiateKernel, kernelWasmPath, useKernelModule, type KernelExports } from './kernel.js';
export type { ElfImage, ElfSegment } from '../elf/index.js';
export * as layout from './layout.js';
export { waitAsync } from './hostcall.js';
export { System, KERNEL_LOCK_KINDS, type SteppedSystem, type ThreadedNode, type SystemOptions, type KernelLockKind, type SchedPolicy } from './system.js';
export { runProgram, runPrograms, readProgram, faultLine, formatStats, exitCodeOf, exitCodeOfAll, type ProgramSpec, type SessionResult, type RunStats } from './session.js';
export { stdio } from './stdio.js';
export { formatKernelStats, type KernelStats } from './kstats.js';
export { FileServer, IO_BYTES_MAX, UMASK_DEFAULT, statxBytes, type FileServerOptions } from './file-syscalls.js';
export { bytesInput, PushInput, type GuestInput } from './console.js';
export { hostStdinSync, hostStdinAsync } from './host-stdin.js';
export { ProcessEvents, ProcessSlots, type ProcessEvent } from './events.js';
export { FdTable, Description, type ProcFiles } from './descriptors.js';
export { Pipe } from './pipes.js';
export {
  REMOTE_IO_BYTES_MAX, REMOTE_UNREACHABLE, REMOTE_WAITS_PER_NODE_MAX, RemoteFile, parseRequest, parseReply,
  type FileTransport, type ExportedFiles, type ExportedDescription, type RemoteRequest, type RemoteReply, type RemoteFileType,
} from './remote-files.js';
export { execService, writeExecImage, readExecArgs, readProgramFile, parseProgram, ARG_STRLEN_MAX } from './exec.js';
export { buildImage, freeRoot, type ImageLayout, type StackOptions } from './process.js';
export { mmapFileService, kernelMapper, type PrivateMapper } from './mmap-file.js';
export { HostCallRing, HostCallServer, LATER, type HostCall, type HostAnswer, type HostReply, type HostService } from './hostcall.js';
export { HostPages, pageFaultOf, pageFaultService, PAGE_SERVED, PAGE_LOST, PAGE_FORBIDDEN, type PageFault, type PageAccess, type PageProt } from './host-pages.js';
export { captureProcess, forkChildImage, busyThreadsExcept, answerCallNow, reapAnswered, setThreadResult, type CaptureOptions } from './process-image.js';
export { restoreProcess, imageFrames, fillAbsentPage, type RestoreOptions, type RestoredProcess } from './process-image-restore.js';
export { dirtyPages, clearDirty, copyPages } from './dirty-pages.js';
export {
  checkImage, encodeProcessImage, decodeProcessImage, encodeImagePages, decodeImagePages, checkImagePageMetas, imageDataBytes, ImageError,
  ImageBusyError, PROCESS_IMAGE_FORMAT, type ProcessImage, type ImagePageMeta,
  type ImagePage, type ImageVma, type ImageThread, type ImageSigaction, type ImageSiginfo, type ImageHost, type PageKind,
} from './process-image-check.js';
export { MqueueServer, stateText, type MqueueServerOptions } from './mqueue.js';
export { MqueueFile, MQ_FILE_BYTES, type MqueueDescription, type MqueueFileServer } from './mqueue-file.js';
export { LocalMqueues, MQ_HARD_MAXMSG, MQ_HARD_MSGSIZE, MQ_HARD_QUEUES, type LocalMqueuesOptions } from './mqueue-local.js';
export {
  MQ_CANCELLED, MQ_DONE, type MqueueNamespace, type MqQueue, type MqLimits, type MqState, type MqMessage, type MqOpenRequest,
  type MqRegistration, type MqNotifyKind, type MqWait, type MqCancelled,
} from './mqueue-namespace.js';
export { runHartWorker, type HartWorkerData, type HartWorkerMessage, type HartWorkerSite } from './hart-loop.js';
export { hostMonotonicNs } from './host-clock.js';
