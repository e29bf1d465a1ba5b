// Salesforce's REST error shape: a JSON array of `{ message, errorCode, fields? }`. Inside sObject
// Collections results the same error uses `statusCode` instead of `errorCode`.

export type ApiErrorBody = { message: string; errorCode: string; fields?: string[] };
export type CollectionError = { statusCode: string; message: string; fields: string[] };

/** A failure that the REST layer renders as `status` + `[{ message, errorCode, fields }]`. */
export class SalesforceApiError extends Error {
  override readonly name = 'SalesforceApiError';
  readonly status: number;
  readonly errorCode: string;
  readonly fields: string[] | undefined;

  constructor(status: number, errorCode: string, message: string, fields?: string[]) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.fields = fields;
  }

  toBody(): ApiErrorBody[] {
    return [
      this.fields === undefined
        ? { message: this.message, errorCode: this.errorCode }
        : { message: this.message, errorCode: this.errorCode, fields: this.fields },
    ];
  }

  toCollectionError(): CollectionError {
    return { statusCode: this.errorCode, message: this.message, fields: this.fields ?? [] };
  }
}

export const notFound = () =>
  new SalesforceApiError(404, 'NOT_FOUND', 'The requested resource does not exist');

export const sessionInvalid = () =>
  new SalesforceApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');

export const requestLimitExceeded = () =>
  new SalesforceApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');

export const unknownException = () =>
  new SalesforceApiError(
    500,
    'UNKNOWN_EXCEPTION',
    'An unexpected error occurred. Please include this ErrorId if you contact support: 1717171717-17171 (-1717171717)',
  );

export const invalidField = (message: string, fields?: string[]) =>
  new SalesforceApiError(400, 'INVALID_FIELD', message, fields);

export const malformedQuery = (message: string) =>
  new SalesforceApiError(400, 'MALFORMED_QUERY', message);

export const jsonParserError = (message: string) =>
  new SalesforceApiError(400, 'JSON_PARSER_ERROR', message);
