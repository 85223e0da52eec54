/**
 * Errors that cross module (and bundle) boundaries. Next bundles a module once per entry
 * point, so one server can hold two copies of a class and `instanceof` fails between them:
 * domain errors are recognised by a brand on the object instead.
 */
export type DomainErrorCode = "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "PAYLOAD_TOO_LARGE";

const BRAND = "igentai.DomainError";

export class DomainError extends Error {
  readonly brand = BRAND;
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** The input field at fault (dotted path), when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** True for a DomainError from any copy of this module. */
export function isDomainError(err: unknown): err is DomainError {
  return typeof err === "object" && err !== null && (err as { brand?: unknown }).brand === BRAND && typeof (err as { code?: unknown }).code === "string";
}

/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Anything thrown, as an Error (catch sites receive `unknown`). */
export function coerceError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (typeof err === "object" && err !== null && "message" in err) return new Error(String((err as { message: unknown }).message));
  return new Error(String(err));
}

/**
 * The exit code of a server that must not be restarted: restarting cannot help (another server
 * holds the data folder, the database cannot be opened), and pm2 would loop. ecosystem.config.js
 * lists it in `stop_exit_codes`. 78 is sysexits' EX_CONFIG.
 */
export const EXIT_NO_RESTART = 78;

const STARTUP_BRAND = "igentai.StartupError";

/** A reason the server cannot start that a restart does not fix; its message is the whole story for the user. */
export class StartupError extends Error {
  readonly brand = STARTUP_BRAND;
  constructor(
    readonly reason: "data-locked" | "database-unreadable",
    message: string,
  ) {
    super(message);
    this.name = "StartupError";
  }
}

/** True for a StartupError from any copy of this module. */
export function isStartupError(err: unknown): err is StartupError {
  return typeof err === "object" && err !== null && (err as { brand?: unknown }).brand === STARTUP_BRAND;
}
