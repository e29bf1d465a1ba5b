/**
 * Expected outcomes are values shaped like zod's `safeParse`; exceptions are reserved for broken
 * invariants (a bug in the caller or in the core), never for business input.
 */
export type Result<TData, TError> =
  | { readonly success: true; readonly data: TData }
  | { readonly success: false; readonly error: TError };

export function ok<TData>(data: TData): { readonly success: true; readonly data: TData } {
  return { success: true, data };
}

export function fail<TError>(error: TError): { readonly success: false; readonly error: TError } {
  return { success: false, error };
}

/** Thrown only when a precondition the caller owed us is broken: it signals a bug, not bad data. */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

/** Ends an exhaustive `switch`: the compiler proves it unreachable, the throw guards bad casts. */
export function assertNever(value: never): never {
  throw new InvariantError(`unexpected value: ${JSON.stringify(value)}`);
}
