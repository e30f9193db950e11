// Real `atoll node` processes for the benchmarks that measure a cluster over loopback TCP: started from a cluster
// config file, each waited for until it prints that it listens, and stopped together (SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Start ids' nodes of the config at cfgPath; stop() kills them all. */
export async function startRealNodes(cfgPath: string, ids: readonly string[]): Promise<{ readonly stop: () => void }> {
  const procs: ChildProcess[] = [];
  const stop = (): void => { for (const p of procs) p.kill('SIGKILL'); };
  try {
    for (const id of ids) {
      const p = spawn(process.execPath, [path.join(ROOT, 'bin/atoll.js'), 'node', '--config', cfgPath, '--id', id, '--stop-on-stdin-close'], { stdio: ['pipe', 'pipe', 'ignore'] });
      procs.push(p);
      await new Promise<void>((resolve, reject) => {
        p.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('listening')) resolve(); });
        p.once('exit', (code) => reject(new Error(`${id} exited with ${code}`)));
      });
    }
  } catch (err) {
    stop();
    throw err;
  }
  return { stop };
}
