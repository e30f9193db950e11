// What a runnable scenario is to the CLI: a summary, its flags, and a run function returning the exit
// code. The registry of scenarios lives in src/cli/commands/scenario.ts.
import type { FlagSpecs, ParsedArgs } from '../base/index.js';

export interface ScenarioEntry {
  readonly summary: string;
  readonly flags: FlagSpecs;
  run(args: ParsedArgs, out: (text: string) => void): Promise<number>;
}
