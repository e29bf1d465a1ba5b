import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

// HubSpot's error bodies. The public OpenAPI `Error` schema is `{ category, correlationId,
// message, subCategory?, context?, errors?, links? }`; the live API also sends `status: "error"`.

export type ErrorDetail = {
  message: string;
  code?: string;
  in?: string;
  subCategory?: string;
  context?: Record<string, string[]>;
};

export type ErrorBody = {
  status: 'error';
  message: string;
  correlationId: string;
  category: string;
  subCategory?: string;
  context?: Record<string, string[]>;
  errors?: ErrorDetail[];
  links?: Record<string, string>;
};

/** An error a handler throws to answer with HubSpot's status and body. */
export class HubspotError extends Error {
  override readonly name = 'HubspotError';
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(typeof body.message === 'string' ? body.message : `HubSpot error ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export function errorBody(
  category: string,
  message: string,
  extra: Omit<Partial<ErrorBody>, 'status' | 'category' | 'message' | 'correlationId'> = {},
): ErrorBody {
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

export function validationError(
  message: string,
  extra: Omit<Partial<ErrorBody>, 'status' | 'category' | 'message' | 'correlationId'> = {},
): HubspotError {
  return new HubspotError(400, errorBody('VALIDATION_ERROR', message, extra));
}

export function objectNotFound(id: string): HubspotError {
  // HubSpot adds the "usually numeric" hint to every object 404 of the v3 objects API.
  return new HubspotError(
    404,
    errorBody('OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.', {
      context: { id: [id] },
    }),
  );
}

export function resourceNotFound(message = 'resource not found'): HubspotError {
  return new HubspotError(404, errorBody('OBJECT_NOT_FOUND', message));
}

export function conflictError(message: string, context?: Record<string, string[]>): HubspotError {
  return new HubspotError(
    409,
    errorBody('CONFLICT', message, context === undefined ? {} : { context }),
  );
}

export function missingScopes(required: readonly string[]): HubspotError {
  return new HubspotError(
    403,
    errorBody(
      'MISSING_SCOPES',
      "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
      {
        errors: [
          {
            message: 'One or more of the following scopes are required.',
            context: { requiredGranularScopes: [...required] },
          },
        ],
        links: { scopes: 'https://developers.hubspot.com/scopes' },
      },
    ),
  );
}

export function invalidAuthentication(): HubspotError {
  return new HubspotError(
    401,
    errorBody(
      'INVALID_AUTHENTICATION',
      'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
    ),
  );
}

export function expiredAuthentication(expiredAtMs: number, nowMs: number): HubspotError {
  return new HubspotError(
    401,
    errorBody(
      'EXPIRED_AUTHENTICATION',
      `The OAuth token used to make this call expired ${describeAgo(nowMs - expiredAtMs)} ago.`,
      { context: { 'expire time': [new Date(expiredAtMs).toISOString()] } },
    ),
  );
}

function describeAgo(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} second(s)`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} minute(s)`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} hour(s)`;
  return `${Math.floor(hours / 24)} day(s)`;
}

/** Answers unmatched API paths the way HubSpot's router does. */
export function unknownRoute(_req: Request, res: Response): void {
  const error = resourceNotFound();
  res.status(error.status).json(error.body);
}

/** Turns thrown errors (ours, body-parser's, anything else) into HubSpot-shaped responses. */
export function errorMiddleware(
  error: unknown,
  _req: Request,
  res: Response,
  next: NextFunction,
): void {
  if (res.headersSent) {
    next(error);
    return;
  }
  if (error instanceof HubspotError) {
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    res.status(error.status).json(error.body);
    return;
  }
  if (isBodyParserError(error)) {
    const invalid = validationError(
      error.type === 'entity.parse.failed'
        ? `Invalid input JSON on line 1: ${error.message}`
        : error.message,
    );
    res.status(error.status ?? invalid.status).json(invalid.body);
    return;
  }
  res
    .status(500)
    .json(
      errorBody(
        'INTERNAL_ERROR',
        error instanceof Error ? `internal error: ${error.message}` : 'internal error',
      ),
    );
}

function isBodyParserError(error: unknown): error is Error & { type: string; status?: number } {
  return error instanceof Error && typeof (error as { type?: unknown }).type === 'string';
}
