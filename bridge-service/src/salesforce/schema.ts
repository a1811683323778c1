/**
 * The package namespace. Every Salesforce API name the bridge reads or writes is declared once, without the
 * namespace, in objects/ (architecture invariant 5); `salesforceNames(prefix)` adds the prefix configured in
 * SF_NAMESPACE_PREFIX on the way out and strips it from what comes back. schema.test.ts checks every declared name
 * against force-app metadata and the standard objects, with a compatible type.
 */

export type NamespacePrefix = '' | `${string}__`;

const CUSTOM_SUFFIX = /__(c|e|mdt|r|x)$/;

/**
 * Adds the namespace prefix to custom API names; standard names and already-prefixed names pass through.
 * Dotted paths (`Opportunity__r.Account.Name`) are prefixed part by part.
 */
export function salesforceNames(prefix: NamespacePrefix) {
  const one = (name: string): string => {
    if (prefix === '' || !CUSTOM_SUFFIX.test(name) || /^[A-Za-z0-9]+__[A-Za-z]/.test(name.replace(CUSTOM_SUFFIX, ''))) {
      return name;
    }
    return `${prefix}${name}`;
  };
  const api = (name: string): string => name.split('.').map(one).join('.');
  return {
    prefix,
    /** API name of an object, field or dotted path, with the namespace applied. */
    api,
    /** CometD channel of a platform event. */
    channel: (eventName: string): string => `/event/${api(eventName)}`,
    /** Removes the namespace from every key of a record read from Salesforce, nested relationships included. */
    strip: (record: unknown): unknown => stripPrefix(record, prefix),
  };
}

export type SalesforceNames = ReturnType<typeof salesforceNames>;

function stripPrefix(value: unknown, prefix: NamespacePrefix): unknown {
  if (prefix === '' || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => stripPrefix(item, prefix));
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.startsWith(prefix) ? key.slice(prefix.length) : key,
      stripPrefix(inner, prefix),
    ]),
  );
}
