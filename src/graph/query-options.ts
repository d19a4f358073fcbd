/** Query-option edits the client makes on its own: dropping `$select` once the service has shown it cannot take it. */

const SELECT = /^(?:\$|%24)select$/i;

/** Whether a URL carries `$select`. */
export function hasSelect(url: URL): boolean {
  for (const key of url.searchParams.keys()) if (SELECT.test(key)) return true;
  return false;
}

/** The URL without `$select` (the rest of the query text kept as written, so `$filter` literals are untouched). */
export function withoutSelect(url: URL): URL {
  if (!hasSelect(url)) return url;
  const copy = new URL(url.href);
  copy.search = dropSelect(url.search.slice(1));
  return copy;
}

/** An API path ("/x?$top=1&$select=id") without `$select`. */
export function pathWithoutSelect(path: string): string {
  const mark = path.indexOf("?");
  if (mark === -1) return path;
  const query = dropSelect(path.slice(mark + 1));
  return query === "" ? path.slice(0, mark) : `${path.slice(0, mark)}?${query}`;
}

/** Whether an API path carries `$select`. */
export function pathHasSelect(path: string): boolean {
  const mark = path.indexOf("?");
  return mark !== -1 && path.slice(mark + 1).split("&").some((part) => SELECT.test(part.split("=")[0] ?? ""));
}

function dropSelect(query: string): string {
  return query
    .split("&")
    .filter((part) => part !== "" && !SELECT.test(part.split("=")[0] ?? ""))
    .join("&");
}
