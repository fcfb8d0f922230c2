/** What every subcommand module exports, and the I/O it is given (so commands are testable). */
import type { CommandSpec, ParsedArgs } from '../core/config.js';

/** Streams and facts of the process a command runs in. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** A subcommand: its option table and what it does. Returns the process exit code. */
export interface Command {
  readonly spec: CommandSpec;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** Exit codes used across the CLI. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
} as const;
