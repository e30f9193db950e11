// `atoll cluster up --services raft-kv` must print a config that `atoll kv` can use as it is: the nodes
// elect a leader, a put is acknowledged and a get reads it back, and closing stdin stops every node.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(join(root, 'dist/src/cli/main.js'));
const atoll = (args: string[]) =>
  spawnSync(process.execPath, ['bin/atoll.js', ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });

describe.skipIf(!built)('cluster up with raft-kv', () => {
  it('serves atoll kv put and get through the printed config, then stops on stdin close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atoll-up-kv-'));
    const up = spawn(process.execPath, ['bin/atoll.js', 'cluster', 'up', '--nodes', '3', '--services', 'raft-kv', '--dir', dir, '--json', '--stop-on-stdin-close'],
      { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      let out = '';
      up.stdout.on('data', (b: Buffer) => { out += b.toString(); });
      up.stderr.resume();
      const deadline = Date.now() + 20_000;
      while (!out.includes('"nodes"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const { config } = JSON.parse(out.trim().split('\n')[0]!) as { config: string };

      const put = atoll(['kv', 'put', 'color', 'blue', '--cluster', config]);
      expect(put.stderr).toBe('');
      expect(put.status).toBe(0);
      const get = atoll(['kv', 'get', 'color', '--cluster', config]);
      expect(get.status).toBe(0);
      expect(get.stdout.trim()).toBe('blue');
      const status = atoll(['kv', 'status', '--cluster', config, '--json']);
      expect(status.status).toBe(0);
      expect(status.stdout).toContain('"leader"');
    } finally {
      const exited = new Promise<number | null>((r) => up.once('exit', (code) => r(code)));
      up.stdin.end();
      expect(await exited).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
