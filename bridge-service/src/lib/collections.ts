/**
 * Adds `value` to the group under `key`, starting the group if there is none. Grouping by copying the group each time
 * (`map.set(key, [...(map.get(key) ?? []), value])`) is quadratic in the group's size; ESLint refuses it. Where the
 * items are already in one array, `Map.groupBy` does the same.
 */
export function pushTo<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const group = groups.get(key);
  if (group) group.push(value);
  else groups.set(key, [value]);
}
