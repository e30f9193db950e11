// Running the built CLI from tests: the package's root, whether it is built, and `atoll ...` as a child process.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
/** The CLI and the kernel are built (npm run build): the tests that run them can. */
export const built = existsSync(`${root}/dist/src/cli/main.js`) && existsSync(`${root}/build/kernel.wasm`);

/** `atoll args...` from the package's root, waited for (at most 30 s). */
export function atoll(...args: string[]): ReturnType<typeof spawnSync<string>> {
  return spawnSync(process.execPath, ['bin/atoll.js', ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
}
