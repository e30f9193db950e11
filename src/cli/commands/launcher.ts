// The path of bin/atoll.js, for starting atoll as a child process (real nodes).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../base/index.js';

/** bin/atoll.js, from dist/src/cli/commands (built) or src/cli/commands (tests). */
export function launcher(): string {
  for (const rel of ['../../../../bin/atoll.js', '../../../bin/atoll.js']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new InputError('cannot find bin/atoll.js to start the nodes with');
}
