import type { Request } from 'express';
import type { z } from 'zod';
import { validationError } from './errors.ts';

// Request parsing shared by the routes: bodies through zod (answering bad input with HubSpot's
// 400 VALIDATION_ERROR), and HubSpot's query conventions (repeated or comma-separated lists).

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? null);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    message: issue.message,
    in: issue.path.map(String).join('.') || 'body',
  }));
  const first = issues[0];
  throw validationError(
    `Invalid input JSON: ${first === undefined ? 'the body is invalid' : `${first.in}: ${first.message}`}`,
    {
      errors: issues.map((issue) => ({
        message: issue.message,
        in: issue.in,
        code: 'INVALID_INPUT',
      })),
    },
  );
}

/** A list query parameter: `?properties=a&properties=b` or `?properties=a,b`. */
export function queryList(req: Request, name: string): string[] | undefined {
  const raw: unknown = req.query[name];
  if (raw === undefined) return undefined;
  const values = Array.isArray(raw) ? raw : [raw];
  return values
    .flatMap((value) => (typeof value === 'string' ? value.split(',') : []))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

export function queryString(req: Request, name: string): string | undefined {
  const raw: unknown = req.query[name];
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw) && typeof raw[0] === 'string') return raw[0];
  return undefined;
}

export function queryBoolean(req: Request, name: string): boolean {
  return queryString(req, name)?.toLowerCase() === 'true';
}

/** An integer query parameter within [min, max], or HubSpot's 400. */
export function queryInt(
  req: Request,
  name: string,
  options: { defaultValue: number; min: number; max: number },
): number {
  const raw = queryString(req, name);
  if (raw === undefined || raw === '') return options.defaultValue;
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    throw validationError(`Unable to parse query parameter ${name}: "${raw}" is not an integer`);
  }
  if (value < options.min || value > options.max) {
    throw validationError(
      `${name} must be between ${options.min} and ${options.max}, but was ${value}`,
      { context: { [name]: [raw] } },
    );
  }
  return value;
}

/** A route parameter (express 5 types them as string | string[]). */
export function routeParam(req: Request, name: string): string {
  const raw: unknown = req.params[name];
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) return raw.join('/');
  return '';
}
