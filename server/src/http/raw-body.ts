import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../errors.ts';

// HubSpot signs the exact bytes it sent, so every request keeps its raw body next to the parsed
// JSON. Stored out of band rather than on `req` to avoid widening Express's types.
const rawBodies = new WeakMap<Request, Buffer>();

const EMPTY = Buffer.alloc(0);

/** The raw request body (empty for requests without one). */
export function getRawBody(req: Request): Buffer {
  return rawBodies.get(req) ?? EMPTY;
}

function isJson(req: Request): boolean {
  const type = req.get('content-type') ?? '';
  return /^application\/([\w.+-]+\+)?json\b/i.test(type);
}

/**
 * Reads the body once as bytes (up to `limit`), keeps them, and parses JSON bodies. A JSON body
 * that does not parse is a 400; other content types are left as bytes for the route to refuse.
 */
export function bodyParser(options: { limit: string }) {
  const readRaw = express.raw({ type: () => true, limit: options.limit });
  return [
    readRaw,
    (req: Request, _res: Response, next: NextFunction) => {
      const raw: unknown = req.body;
      const bytes = Buffer.isBuffer(raw) ? raw : EMPTY;
      rawBodies.set(req, bytes);
      if (bytes.length === 0) {
        req.body = undefined;
        next();
        return;
      }
      if (!isJson(req)) {
        next();
        return;
      }
      try {
        req.body = JSON.parse(bytes.toString('utf8'));
        next();
      } catch {
        next(new AppError('invalid_json', 'request body is not valid JSON'));
      }
    },
  ];
}
