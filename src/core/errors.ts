/**
 * Typed errors. Every error the project throws carries a stable `code` (listed in
 * docs/errors.md) and chains its `cause`. Retry decisions use sets of codes, never message text.
 */

/** The base of our errors: a stable code, a message for people, an optional cause. */
export class SwemlsError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Invalid configuration (flags, env, files). `problems` lists every one found, not just the first. */
export class ConfigError extends SwemlsError {
  constructor(readonly problems: readonly string[]) {
    super('CORE_ERR_CONFIG', problems.join('; '));
  }
}

/** True when `err` carries one of the codes. */
export function hasCode(err: unknown, codes: ReadonlySet<string> | readonly string[]): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return Array.isArray(codes) ? codes.includes(code) : (codes as ReadonlySet<string>).has(code);
}

/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
