/** Bad command-line usage: exit status 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command = 'main',
  ) {
    super(message);
  }
}

/** A failure the CLI reports itself (not a library error): exit status 1. */
export class CliFailure extends Error {}
