/**
 * Every failure a user can cause or meet is one of these: the CLI prints `message` (and `hint`) and exits
 * with `exitCode`, never a stack trace. Exit codes are part of hopscope's contract with CI.
 */
export const ExitCode = {
  ok: 0,
  gateFailed: 1,
  usage: 2,
  infrastructure: 3,
  /** A bug in hopscope: an error it did not anticipate (the message says so; HOPSCOPE_DEBUG=1 shows the stack). */
  internal: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class HopscopeError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags, a bad scenario file, a bad threshold expression: the user can fix it by editing input. */
export class UsageError extends HopscopeError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
  }
}

/** No Docker engine, a build that failed, a service that never became ready, a port in use. */
export class InfraError extends HopscopeError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.infrastructure, hint);
  }
}

/** A performance gate said no. */
export class GateFailure extends HopscopeError {
  constructor(message: string) {
    super(message, ExitCode.gateFailed);
  }
}

/** The run was interrupted (Ctrl-C, SIGTERM) after teardown completed. */
export class Interrupted extends HopscopeError {
  constructor(signal: string) {
    super(`interrupted by ${signal}; services were stopped`, ExitCode.interrupted);
  }
}
