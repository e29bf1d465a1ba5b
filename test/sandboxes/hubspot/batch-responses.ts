import type { ErrorDetail } from './errors.ts';

// The envelope of HubSpot's batch answers (BatchResponse*): a status, the results, timestamps,
// and for partial success `numErrors` with one StandardError per problem.

/** HubSpot's StandardError, the shape of each entry of a batch response's `errors`. */
export type StandardError = {
  status: 'error';
  category: string;
  message: string;
  context: Record<string, string[]>;
  errors: ErrorDetail[];
  links: Record<string, string>;
};

export function standardError(
  category: string,
  message: string,
  context: Record<string, string[]>,
  errors: ErrorDetail[] = [],
): StandardError {
  return { status: 'error', category, message, context, errors, links: {} };
}

export function batchResponse(
  startedAt: number,
  completedAt: number,
  results: readonly unknown[],
  errors: readonly StandardError[],
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    status: 'COMPLETE',
    results,
    startedAt: new Date(startedAt).toISOString(),
    completedAt: new Date(completedAt).toISOString(),
  };
  if (errors.length > 0) {
    body.numErrors = errors.length;
    body.errors = errors;
  }
  return body;
}
