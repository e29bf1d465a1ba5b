// A minimal browser for OAuth flows in tests: follows redirects by hand, keeps cookies per
// origin, and maps the public URL the server advertises onto the loopback URL it listens on.

export type BrowserVisit = { url: string; status: number };

export class TestBrowser {
  private readonly cookies = new Map<string, Map<string, string>>();
  private readonly rewrites: readonly (readonly [string, string])[];
  readonly visits: BrowserVisit[] = [];

  constructor(rewrites: readonly (readonly [string, string])[] = []) {
    this.rewrites = rewrites;
  }

  private resolve(url: string): string {
    for (const [from, to] of this.rewrites) {
      if (url.startsWith(from)) return `${to}${url.slice(from.length)}`;
    }
    return url;
  }

  private remember(origin: string, response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const jar = this.cookies.get(origin) ?? new Map<string, string>();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
      this.cookies.set(origin, jar);
    }
  }

  cookieHeader(url: string): string | undefined {
    const jar = this.cookies.get(new URL(url).origin);
    if (jar === undefined || jar.size === 0) return undefined;
    return [...jar.entries()].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Drops every cookie (a different browser, or a cleared one). */
  forgetCookies(): void {
    this.cookies.clear();
  }

  /** GETs `url` and follows up to `maxRedirects` redirects; returns the last response. */
  async open(url: string, maxRedirects = 10): Promise<Response> {
    let next = this.resolve(url);
    for (let hop = 0; hop <= maxRedirects; hop++) {
      const cookie = this.cookieHeader(next);
      const response = await fetch(next, {
        redirect: 'manual',
        headers: cookie === undefined ? {} : { cookie },
      });
      this.visits.push({ url: next, status: response.status });
      this.remember(new URL(next).origin, response);
      const location = response.headers.get('location');
      const isRedirect = response.status >= 300 && response.status < 400 && location !== null;
      if (!isRedirect || hop === maxRedirects) return response;
      await response.body?.cancel();
      next = this.resolve(new URL(location, next).toString());
    }
    throw new Error(`unreachable: redirect loop from ${url}`);
  }
}
