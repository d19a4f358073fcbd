import type { GraphCall } from "../graph-call.js";
import { nextLink, type ListQuery } from "../odata.js";
import type { OrderedIndex, Sequenced } from "../ordered-index.js";
import type { Scenario } from "../scenario.js";

/** Reads one page of `source` for a list request and builds its `@odata.nextLink`. */
export function readPage<T extends Sequenced>(
  call: GraphCall,
  query: ListQuery,
  source: OrderedIndex<T> | undefined,
  defaultPageSize: number,
  paging: Scenario["paging"],
  match?: (item: T) => boolean,
): { items: T[]; next: string | undefined } {
  if (!source) return { items: [], next: undefined };
  const size = Math.min(query.top ?? defaultPageSize, paging.maxTop);
  const page = source.page(query.after, size, match);
  return { items: page.items, next: page.nextAfter === undefined ? undefined : nextLink(call.url, page.nextAfter) };
}

/** `contains(serialNumber,'x')`: case-insensitive, as the service's store compares. */
export function serialContains(value: string): (item: { readonly serialUpper: string }) => boolean {
  const needle = value.toUpperCase();
  return (item) => item.serialUpper.includes(needle);
}
