import { ERROR_CODES, type ErrorCode } from "./error-codes.js";

/** Base class of every error Portcullis throws on purpose: carries a stable registry code. */
export class PortcullisError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PortcullisError";
    this.code = code;
  }
  get rpcCode(): number {
    return ERROR_CODES[this.code].rpc;
  }
}

/** Bad configuration: names the file, line and key so the operator can fix it in one go. */
export class ConfigError extends PortcullisError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONFIG_INVALID", message, options);
    this.name = "ConfigError";
  }
}

/** Wrong command-line usage; the CLI exits 2. */
export class UsageError extends PortcullisError {
  constructor(message: string) {
    super("USAGE", message);
    this.name = "UsageError";
  }
}
