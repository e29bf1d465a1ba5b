/** A non-default response from a route handler (redirect, HTML, text, explicit status). */
export class Reply {
  readonly status: number;
  readonly body:
    | { readonly kind: 'json'; readonly value: unknown }
    | { readonly kind: 'redirect'; readonly location: string }
    | { readonly kind: 'text'; readonly text: string; readonly contentType: string }
    | { readonly kind: 'empty' };
  readonly headers: Readonly<Record<string, string>>;

  private constructor(
    status: number,
    body: Reply['body'],
    headers: Readonly<Record<string, string>> = {},
  ) {
    this.status = status;
    this.body = body;
    this.headers = headers;
  }

  static json(value: unknown, status = 200): Reply {
    return new Reply(status, { kind: 'json', value });
  }

  /** 303 by default: the browser follows with a GET, whatever method brought it here. */
  static redirect(location: string, status: 302 | 303 = 303): Reply {
    return new Reply(status, { kind: 'redirect', location });
  }

  static html(html: string, status = 200): Reply {
    return new Reply(status, { kind: 'text', text: html, contentType: 'text/html; charset=utf-8' });
  }

  static text(text: string, contentType: string, status = 200): Reply {
    return new Reply(status, { kind: 'text', text, contentType });
  }

  static empty(status: 202 | 204 = 204): Reply {
    return new Reply(status, { kind: 'empty' });
  }

  withHeaders(headers: Readonly<Record<string, string>>): Reply {
    return new Reply(this.status, this.body, { ...this.headers, ...headers });
  }
}
