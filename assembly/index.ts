// The machine kernel's export surface. Every entry point that touches a hart takes the hart index, so one
// instance can step any hart and several instances (worker threads) can share one memory.
export { kernelVersion } from './version';
export { machineInit } from './machine';
export { abiCount, abiValue } from './abi';
export { hartInit, hartSetSatp, run } from './hart';
export { hartSyscallReturn } from './caller';
export { dispatch, hartSetQuantum } from './dispatch';
export { tlbConfigure, tlbFlush, jitTlbFill } from './tlb';
export { timerArm, timerDisarm, timerAdvance, hartSetTime } from './timer';
export { frameAlloc, frameFree, framesUsed, framesFree } from './frames';
export { vmCreate, vmMap, vmMapSuper, vmUnmap, vmPteAddress } from './vm';
export { vmTranslate } from './usercopy';
export * from './spinlock';
export { kernelReset, kernelSetLockKind, kernelSetClock, kernelSetHostTime, kernelNextDeadline, kernelStart, threadCreateMain, kernelStuck, kernelKillAll } from './kernel';
export { procCreate, procSetMemory, procFrames, procState, procThreads, procPid, kernelSetAsids } from './proc';
export { threadState, threadTid, threadProc, threadClearTid, threadFutexKey } from './thread';
export { futexWaiters, sleepersCount } from './futex';
export { shootdownOthers, shootdownServe } from './shootdown';
export { hartKill } from './exit';
export {
  ipcEndpointCalls, ipcWaiters, ipcRegisterProc, ipcLookup, ipcHostReserve, ipcHostDeliver, ipcHostCancel, ipcHostAnswered, ipcHostFree,
} from './ipc';
export { hostcallResume, hostcallReap, hostcallThreads } from './hostcall';
export { mmapPrivate, mmapFrame } from './mmap';
export { frameRefs, frameRetain } from './frames';
export { procFlags } from './proc';
export { kernelSetForkHost, threadForkHere } from './fork';
export { kernelPidLease, kernelPidsLeft, kernelPidClear } from './pidlease';
export {
  kernelSetCluster, kernelSignal, kernelSignalGroup, kernelThreadSignal, procRemoteChild, procRemoteEnded, procStandInReplace, procSetParentPid, procAdopt,
  procOrphaned, kernelSetInit, procFamilyAttach,
} from './remote';
export { procSetGroupFor, procRemoteGroup, procIdOf } from './pgid';
export { procImageProcState, procImageThreadState, procImageCreate, procImageThread, procImageThreadTid, procImageRun, procImageSleep, procImageFutex, procImageUndo } from './procimage';
export { procMigrateOut, procDirtyClear, procCancelHostcalls, procSettleRestarts } from './migrate';
export { sigHostRaise } from './sigsys';
export { hostPageFrame, hostPageSet, hostPagesAll, hostPageFaults } from './hostpage';
