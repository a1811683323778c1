/**
 * What a logged API request was, in a line a person reads: `query Invoice__c`, `PATCH collections`, or a Composite
 * call by what it held (`composite[POST collections ldgr__Invoice__c, query Opportunity]`). The call-budget tests and the
 * bench's profile of Salesforce calls use it to say where the calls went.
 */
import type { ApiRequest } from './server';

/** The object a SOQL query reads (its last FROM: child subqueries come before it). */
const fromOf = (soql: string) => [...soql.matchAll(/\bFROM\s+(\w+)/gi)].at(-1)?.[1] ?? '?';

export function describeApiRequest(request: ApiRequest): string {
  if (request.subrequests) {
    const held = request.subrequests.map((s) => {
      const [method, url, type] = s.split(' ') as [string, string, string | undefined];
      const soql = new URL(url, 'http://x').searchParams.get('q');
      const described = describeApiRequest({ method, path: url.split('?')[0]!, ...(soql ? { soql } : {}) });
      return type ? `${described} ${type}` : described;
    });
    return `composite[${held.join(', ')}]`;
  }
  const path = request.path.replace(/^\/services\/data\/v[^/]+/, '');
  if (/^\/query(All)?\/./.test(path)) return `queryMore ${fromOf(request.soql ?? '')}`;
  if (path.startsWith('/query')) return `query ${fromOf(request.soql ?? '')}`;
  if (path.startsWith('/composite/sobjects')) return `${request.method} collections`;
  return `${request.method} ${path.replace(/\/[a-zA-Z0-9]{15,18}$/, '/:id')}`;
}
