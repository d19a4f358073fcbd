/**
 * Following `@odata.nextLink` through a collection, with the guards a listing needs: only links under the Graph root
 * (a link elsewhere would receive our bearer token), no link twice (a paging bug reported on the real service returned
 * the same page forever), and at most a budget of pages.
 */
import { ServiceError } from "../errors.js";
import type { GraphVersion } from "./client.js";
import type { GraphPage } from "./types.js";

export interface PagesOptions {
  readonly version?: GraphVersion;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Most pages one listing may read before it stops with an error (default DEFAULT_PAGE_BUDGET). */
  readonly maxPages?: number;
}

/** Pages one listing may read: a million records at 1,000 a page is 1,000 pages; a runaway listing stops long before it harms. */
export const DEFAULT_PAGE_BUDGET = 20_000;

export interface PageWalk<T> {
  /** The collection's path (for messages). */
  readonly path: string;
  readonly firstUrl: URL;
  readonly graphRoot: string;
  readonly maxPages: number;
  /** GETs one page. */
  fetch(url: URL): Promise<GraphPage<T>>;
}

/** The pages of a collection, in order; a page without `value` counts as empty. */
export async function* walkPages<T>(walk: PageWalk<T>): AsyncGenerator<GraphPage<T>, void, undefined> {
  const { path, maxPages } = walk;
  let url = walk.firstUrl;
  const seen = new Set<string>();
  for (let page = 1; ; page++) {
    const body = await walk.fetch(url);
    yield { ...body, value: Array.isArray(body?.value) ? body.value : [] };
    const next = body?.["@odata.nextLink"];
    if (!next) return;
    if (seen.has(next)) {
      throw new ServiceError(`the service sent the same @odata.nextLink twice while listing ${path.split("?")[0]}: stopping instead of reading the same page forever (page ${page})`, undefined, "PagingLoop");
    }
    if (page >= maxPages) {
      throw new ServiceError(`listing ${path.split("?")[0]} passed its budget of ${maxPages} pages: stopping`, undefined, "PageBudgetExceeded");
    }
    seen.add(next);
    url = underRoot(next, walk.graphRoot);
  }
}

// Only follow links under our Graph root: a nextLink elsewhere would receive our bearer token.
function underRoot(link: string, graphRoot: string): URL {
  const url = new URL(link, `${graphRoot}/`);
  const root = new URL(`${graphRoot}/`);
  if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) {
    throw new ServiceError(`refusing to follow @odata.nextLink outside ${graphRoot}: ${url.origin}`);
  }
  return url;
}
