// Exit codes, the same for every command (SPEC §5).

export const ExitCode = {
  ok: 0,
  /** The policy or a test failed: lint errors, warnings over --max-warnings, a failed case. */
  policyFailure: 1,
  /** Usage or input error: missing file, bad flag. */
  usage: 2,
  /** A bug in policyc. */
  internal: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
