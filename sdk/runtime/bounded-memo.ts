/**
 * A bounded memo of a pure function of a string, for values that repeat per request (addresses, user agents, paths,
 * cookies, model names): when full it starts over, which costs nothing per hit (no recency to track) and lets the
 * hot values back in on their next request, while ids in paths or addresses can never grow it past `limit`.
 */
export function boundedMemo<V>(limit: number, compute: (key: string) => V): (key: string) => V {
  const cache = new Map<string, V>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined || cache.has(key)) return hit as V;
    const value = compute(key);
    if (cache.size >= limit) cache.clear();
    cache.set(key, value);
    return value;
  };
}
