// The error for a scenario the command line or the playground refuses: a bad option value, a
// clash between options, a trace that cannot be read. Its message names the offending value.
export class UsageError extends Error {}
