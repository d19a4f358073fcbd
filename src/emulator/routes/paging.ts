import type { GraphCall } from "../graph-call.js";
import { nextLink, type ListQuery } from "../odata.js";
import type { OrderedIndex, Sequenced } from "../ordered-index.js";
import type { Scenario } from "../scenario.js";

export interface PageOptions<T> {
  readonly match?: (item: T) => boolean;
  /** `service.repeatNextLinkAfterPages` for the collections the 2020 paging bug hit; 0 or absent = never. */
  readonly repeatNextLinkAfterPages?: number;
}

/** Reads one page of `source` for a list request and builds its `@odata.nextLink`. */
export function readPage<T extends Sequenced>(
  call: GraphCall,
  query: ListQuery,
  source: OrderedIndex<T> | undefined,
  defaultPageSize: number,
  paging: Scenario["paging"],
  options: PageOptions<T> = {},
): { items: T[]; next: string | undefined } {
  if (!source) return { items: [], next: undefined };
  const size = Math.min(query.top ?? defaultPageSize, paging.maxTop);
  const page = source.page(query.after, size, options.match);
  const repeatAfter = options.repeatNextLinkAfterPages ?? 0;
  // The 2020 bug: past the threshold a page names itself as the next one, so an unguarded client loops forever.
  if (repeatAfter > 0 && query.page > repeatAfter) return { items: page.items, next: nextLink(call.url, query.after, query.page) };
  return { items: page.items, next: page.nextAfter === undefined ? undefined : nextLink(call.url, page.nextAfter, query.page + 1) };
}

/** `contains(serialNumber,'x')`: case-insensitive, as the service's store compares. */
export function serialContains(value: string): (item: { readonly serialUpper: string }) => boolean {
  const needle = value.toUpperCase();
  return (item) => item.serialUpper.includes(needle);
}
