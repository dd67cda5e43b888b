// Command-line usage errors: the message and the usage text of the command, exit status 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** parseArgs, with an unknown option or a missing value turned into a UsageError carrying `usage`. */
export function parseOrUsage<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e), usage);
  }
}

export const isHelp = (a: string | undefined): boolean => a === '--help' || a === '-h' || a === 'help';
