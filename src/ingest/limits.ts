// Limits of the mail parser, in a module of their own so the intake's main thread can know them without loading
// the parser (mailparser and its charset tables live in the parser thread).
export const DEFAULT_MAX_BYTES = 25 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 10_000;
