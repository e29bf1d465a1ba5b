import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError, type ErrorIssue, toIssues } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** The one error body: `{ error: { code, message, issues? } }`. */
export type ErrorBody = {
  error: { code: string; message: string; issues?: readonly ErrorIssue[] };
};

// body-parser / raw-body failures carry a `type` and a `status`.
function fromBodyParser(error: { type?: unknown; status?: unknown }): AppError | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return new AppError('payload_too_large', 'request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('unsupported_media_type', 'unsupported body encoding');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new AppError('bad_request', 'request body could not be read');
    default:
      return undefined;
  }
}

/** Maps anything thrown to an AppError; unknown errors become a 500 that reveals nothing. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) {
    const issues = toIssues('body', error);
    return new AppError('validation_failed', issues[0]?.message ?? 'invalid request', { issues });
  }
  if (typeof error === 'object' && error !== null) {
    const parsed = fromBodyParser(error as { type?: unknown });
    if (parsed !== undefined) return parsed;
  }
  return new AppError('internal', 'internal error', { cause: error });
}

export function errorBody(error: AppError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.issues === undefined ? {} : { issues: error.issues }),
    },
  };
}

function requestLogger(req: Request, fallback: Logger): Logger {
  return (req as Request & { log?: Logger }).log ?? fallback;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const appError = toAppError(error);
    const logger = requestLogger(req, log);
    if (appError.status >= 500) {
      logger.error({ err: error, code: appError.code }, 'request failed');
    } else {
      logger.info({ code: appError.code, reason: appError.message }, 'request refused');
    }
    res.status(appError.status).json(errorBody(appError));
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `no route for ${req.method} ${req.path}`));
};
