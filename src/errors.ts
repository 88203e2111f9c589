// Errors that end a command with a specific exit code. Everything else that escapes is a bug in
// policyc (exit 3), reported without a stack trace unless --debug.

/** Bad usage or unreadable input: a missing file, a bad flag value (exit 2). */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** The policy or a test failed; the command has already said why (exit 1). */
export class PolicyFailure extends Error {
  override readonly name = 'PolicyFailure';
}
