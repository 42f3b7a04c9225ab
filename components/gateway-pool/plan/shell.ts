// Pure: POSIX shell quoting for the commands the pool runs through `local.Command`.
// Hand-written on purpose: the quoted text is part of each command's inputs, so a library that quotes
// the same value differently (shell-quote leaves `'` unquoted inside "…") would change those inputs and
// run every replication command and readiness gate again on existing pools.

/** Characters that need no quoting in a POSIX shell word. */
const BARE = /^[A-Za-z0-9_./:@=,+-]+$/;

/**
 * One argument for /bin/sh: as it is when it holds only {@link BARE} characters, else single-quoted
 * (`'` written as `'\''`). `always`: single-quote even a bare word.
 * @example shQuote("msgw1.example.com") // "msgw1.example.com"; shQuote("a b") // "'a b'"
 */
export function shQuote(value: string, opts: { always?: boolean } = {}): string {
  return !opts.always && BARE.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
