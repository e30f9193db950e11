// `atoll soak [options]`: the Raft fault-injection soak; its flags and report live with it in src/soak.
import { soakMain, SOAK_COMMAND } from '../../soak/index.js';

export const COMMAND = SOAK_COMMAND;

export function run(argv: string[]): Promise<number> {
  return soakMain(argv);
}
