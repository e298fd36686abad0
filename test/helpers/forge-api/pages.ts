// Offset pagination as GitLab and GitHub do it: `page`/`per_page` in the query, a `Link` header with
// rel="next" (both), and GitLab's x-* headers. A small page size makes clients prove they follow it.

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

export function paginate<T>(all: readonly T[], url: URL, maxPerPage: number): Page<T> {
  const perPage = Math.min(Math.max(Number(url.searchParams.get("per_page")) || 20, 1), maxPerPage);
  const page = Math.max(Number(url.searchParams.get("page")) || 1, 1);
  const totalPages = Math.max(Math.ceil(all.length / perPage), 1);
  const items = all.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {
    "x-page": String(page),
    "x-per-page": String(perPage),
    "x-total": String(all.length),
    "x-total-pages": String(totalPages),
    "x-next-page": page < totalPages ? String(page + 1) : "",
  };
  if (page < totalPages) {
    const next = new URL(url);
    next.searchParams.set("page", String(page + 1));
    next.searchParams.set("per_page", String(perPage));
    headers.link = `<${next.toString()}>; rel="next"`;
  }
  return { items, headers };
}
