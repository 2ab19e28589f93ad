/**
 * A problem with the user's project or input (not a bug): the CLI prints the message as
 * it is and exits non-zero, so each message says what was wrong and what to do.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
