// `atoll fs ls|stat|cat|get|put|mkdir|rm ...`: the global namespace from outside, on a real cluster (--cluster
// cluster.json: asked of a node that runs gfs, through the log like a guest's calls) or in a saved image
// (--image fs.json: the namespace `atoll cluster run --fs-out` wrote, or one being prepared for `--fs`; put,
// mkdir and rm rewrite it, put and mkdir create it when missing). Files move in parts of FS_RANGE_BYTES_MAX.
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { flagBool, flagString, InputError, UsageError, type CommandSpec } from '../../base/index.js';
import { parseOrHelp } from '../../host/index.js';
import { FsOps, FS_RANGE_BYTES_MAX, GfsTree, LocalTreeMount, decodeFsImage, encodeFsImage, type FsEntry, type FsReply } from '../../gfs/index.js';
import { FsError, Later, Vfs, type Maybe } from '../../vfs/index.js';
import { ConfigError } from '../../cluster/index.js';
import { loadClusterConfig } from '../../services/index.js';
import { OperatorClient, type FsRequestBody } from '../../ssi/index.js';

const VERBS = ['ls', 'stat', 'cat', 'get', 'put', 'mkdir', 'rm'] as const;
type Verb = (typeof VERBS)[number];

export const COMMAND: CommandSpec = {
  name: 'fs',
  summary: 'Look at and change the global namespace of a real cluster, or of a saved namespace image.',
  operands: 'ls <path> | stat <path> | cat <path> | get <path> <host-file> | put <host-file> <path> | mkdir <path> | rm <path>',
  notes: [
    'Paths in the namespace are absolute (/data/shared/config.txt).',
    'put copies a host file in (its parents made, mode from --mode or the host file); get copies one out.',
    'With --image, the namespace is a file: `atoll cluster run --fs-out fs.json` writes one, `--fs fs.json` starts from one.',
  ].join('\n'),
  flags: {
    cluster: { kind: 'string', value: '<cluster.json>', help: 'a real cluster whose nodes run the gfs service' },
    image: { kind: 'string', value: '<fs.json>', help: 'a namespace image file instead of a cluster' },
    mode: { kind: 'string', value: '<octal>', help: 'put: permission bits of the file (default: the host file\'s)' },
    parents: { kind: 'boolean', help: 'mkdir: make missing parents, no error if it exists' },
    json: { kind: 'boolean', help: 'ls and stat: print JSON' },
  },
};

/** The namespace's operations, now (an image) or over the network (a cluster): each a promise. */
interface Namespace {
  request(body: FsRequestBody): Promise<unknown>;
  close(): Promise<void>;
}

class FsFailure extends Error {
  constructor(readonly errno: string, message: string) {
    super(message);
  }
}

function imageNamespace(path: string, verb: Verb): Namespace {
  let tree: GfsTree;
  if (existsSync(path)) {
    try {
      tree = decodeFsImage(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new InputError(`${path}: ${(err as Error).message}`);
    }
  } else if (verb === 'put' || verb === 'mkdir') {
    tree = new GfsTree();
  } else {
    throw new InputError(`${path}: no such image`);
  }
  const ops = new FsOps(new Vfs(new LocalTreeMount(() => BigInt(Date.now()) * 1_000_000n, 'a namespace image', tree)));
  let changed = false;
  const now = <T>(m: Maybe<T>): T => {
    if (m instanceof Later) throw new Error('an image answers at once');
    return m;
  };
  return {
    request: async (b) => {
      try {
        switch (b.op) {
          case 'stat': return now(ops.stat(b.path));
          case 'ls': return now(ops.ls(b.path));
          case 'read': {
            const r = now(ops.read(b.path, b.pos, b.len));
            return { data: Buffer.from(r.bytes).toString('base64'), size: r.size };
          }
          case 'write': changed = true; return { wrote: now(ops.write(b.path, b.pos, new Uint8Array(Buffer.from(b.data, 'base64')), b.first, b.mode)) };
          case 'mkdir': changed = true; return now(ops.mkdir(b.path, b.parents)) ?? null;
          case 'rm': changed = true; return now(ops.rm(b.path)) ?? null;
        }
      } catch (err) {
        if (err instanceof FsError) throw new FsFailure(err.code, err.message);
        throw err;
      }
    },
    close: async () => {
      if (!changed) return;
      const tmp = `${path}.tmp-${process.pid}`;
      writeFileSync(tmp, encodeFsImage(tree));
      renameSync(tmp, path);
    },
  };
}

async function clusterNamespace(path: string): Promise<Namespace> {
  let client: OperatorClient;
  try {
    client = new OperatorClient(loadClusterConfig(path), process.pid, 'gfs');
  } catch (err) {
    if (err instanceof ConfigError) throw new InputError(`${path}: ${err.message}`);
    throw new InputError((err as Error).message);
  }
  if (client.nodes.length === 0) throw new InputError(`${path}: no node runs the gfs service`);
  await client.start();
  return {
    request: async (b) => {
      const r: FsReply | null = await client.fs(b);
      if (r === null) throw new InputError(`no node of ${path} answered (${client.nodes.join(', ')})`);
      if (!r.ok) throw new FsFailure(r.errno, r.message);
      return r.value;
    },
    close: () => client.close(),
  };
}

function modeOf(text: string | undefined, hostFile: string): number {
  if (text === undefined) return statSync(hostFile).mode & 0o7777;
  if (!/^[0-7]{1,4}$/.test(text)) throw new UsageError(`--mode ${text}: permission bits in octal, e.g. 755`);
  return parseInt(text, 8);
}

function entryLine(e: FsEntry): string {
  const type = e.kind === 'dir' ? 'd' : e.kind === 'symlink' ? 'l' : '-';
  const rwx = [6, 3, 0].map((s) => ((e.mode >> s) & 4 ? 'r' : '-') + ((e.mode >> s) & 2 ? 'w' : '-') + ((e.mode >> s) & 1 ? 'x' : '-')).join('');
  return `${type}${rwx} ${String(e.nlink).padStart(3)} ${String(e.size).padStart(10)} ${e.name}${e.target !== undefined ? ` -> ${e.target}` : ''}`;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseOrHelp(argv, COMMAND);
  if (!args) return 0;
  const [verbWord, ...rest] = args.positionals;
  if (verbWord === undefined) throw new UsageError(`name what to do: ${VERBS.join(', ')}`);
  if (!(VERBS as readonly string[]).includes(verbWord)) throw new UsageError(`unknown action '${verbWord}' (actions: ${VERBS.join(', ')})`);
  const verb = verbWord as Verb;
  const want = verb === 'get' || verb === 'put' ? 2 : 1;
  if (rest.length !== want) throw new UsageError(`fs ${verb} takes ${want === 2 ? 'two paths' : 'one path'}: ${COMMAND.operands!.split(' | ').find((o) => o.startsWith(verb))}`);
  const clusterPath = flagString(args, 'cluster'), imagePath = flagString(args, 'image');
  if ((clusterPath === undefined) === (imagePath === undefined)) throw new UsageError('give one of --cluster <cluster.json> and --image <fs.json>');
  const nsPath = verb === 'put' ? rest[1]! : rest[0]!;
  if (!nsPath.startsWith('/')) throw new UsageError(`${nsPath}: a path in the namespace starts with /`);
  const hostFile = verb === 'put' ? rest[0]! : verb === 'get' ? rest[1]! : '';
  let data: Buffer | undefined;
  let mode = 0;
  if (verb === 'put') {
    try {
      data = readFileSync(hostFile);
    } catch (err) {
      throw new InputError(`cannot read ${hostFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    mode = modeOf(flagString(args, 'mode'), hostFile);
  }
  const ns = imagePath !== undefined ? imageNamespace(imagePath, verb) : await clusterNamespace(clusterPath!);
  const json = flagBool(args, 'json');
  try {
    switch (verb) {
      case 'stat': {
        const e = await ns.request({ op: 'stat', path: nsPath }) as FsEntry;
        process.stdout.write(json ? JSON.stringify(e) + '\n' : `${entryLine(e)}\n  inode ${e.ino}, modified ${new Date(Number(BigInt(e.mtime_ns) / 1_000_000n)).toISOString()}\n`);
        break;
      }
      case 'ls': {
        const list = await ns.request({ op: 'ls', path: nsPath }) as FsEntry[];
        process.stdout.write(json ? JSON.stringify(list) + '\n' : list.map((e) => entryLine(e) + '\n').join(''));
        break;
      }
      case 'cat': case 'get': {
        const parts: Buffer[] = [];
        for (let pos = 0; ;) {
          const r = await ns.request({ op: 'read', path: nsPath, pos, len: FS_RANGE_BYTES_MAX }) as { data: string; size: number };
          const b = Buffer.from(r.data, 'base64');
          parts.push(b);
          pos += b.length;
          if (b.length === 0 || pos >= r.size) break;
        }
        const all = Buffer.concat(parts);
        if (verb === 'cat') process.stdout.write(all);
        else {
          try {
            writeFileSync(hostFile, all);
          } catch (err) {
            throw new InputError(`cannot write ${hostFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
          }
        }
        break;
      }
      case 'put': {
        for (let pos = 0; pos === 0 || pos < data!.length; pos += FS_RANGE_BYTES_MAX) {
          const part = data!.subarray(pos, pos + FS_RANGE_BYTES_MAX);
          await ns.request({ op: 'write', path: nsPath, pos, data: part.toString('base64'), first: pos === 0, mode });
          if (data!.length === 0) break;
        }
        break;
      }
      case 'mkdir': await ns.request({ op: 'mkdir', path: nsPath, parents: flagBool(args, 'parents') }); break;
      case 'rm': await ns.request({ op: 'rm', path: nsPath }); break;
    }
  } catch (err) {
    if (err instanceof FsFailure) {
      process.stderr.write(`atoll fs ${verb} ${nsPath}: ${err.errno}${err.message !== err.errno ? ` (${err.message})` : ''}\n`);
      return 1;
    }
    throw err;
  } finally {
    await ns.close();
  }
  return 0;
}
