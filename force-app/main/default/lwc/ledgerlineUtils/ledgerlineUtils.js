import { subscribe, unsubscribe, isEmpEnabled } from 'lightning/empApi';
import SYNC_UPDATE_EVENT from '@salesforce/schema/Sync_Update__e';
import RECORD_IDS_FIELD from '@salesforce/schema/Sync_Update__e.Record_Ids__c';
import INVOICE_ID_FIELD from '@salesforce/schema/Sync_Update__e.Invoice_Id__c';
import OPPORTUNITY_ID_FIELD from '@salesforce/schema/Sync_Update__e.Opportunity_Id__c';
import ACCOUNT_ID_FIELD from '@salesforce/schema/Sync_Update__e.Account_Id__c';

export { LABELS } from './labels';

/**
 * One readable message per error, from whatever shape Salesforce produced: Apex/UI API errors ({ body: { message } }),
 * page and field errors, GraphQL `errors` arrays ({ message }), JS Errors and plain strings.
 * @param {*} errors one error or an array of them
 * @returns {string[]}
 */
export function reduceErrors(errors) {
  const list = Array.isArray(errors) ? errors : [errors];
  return list
    .filter((error) => !!error)
    .flatMap((error) => {
      if (typeof error === 'string') return [error];
      if (Array.isArray(error.body)) return error.body.map((e) => e.message);
      if (error.body?.pageErrors?.length || error.body?.fieldErrors) {
        const page = (error.body.pageErrors ?? []).map((e) => e.message);
        const field = Object.values(error.body.fieldErrors ?? {})
          .flat()
          .map((e) => e.message);
        return [...page, ...field];
      }
      if (typeof error.body?.message === 'string') return [error.body.message];
      if (typeof error.message === 'string') return [error.message];
      return [error.statusText ?? String(error)];
    })
    .filter((message) => !!message);
}

/**
 * Fills {0}, {1}, … in a custom label.
 * @param {string} template
 * @param {...*} values
 * @returns {string}
 */
export function formatLabel(template, ...values) {
  return (template ?? '').replace(/\{(\d+)\}/g, (match, index) => {
    return values[index] === undefined ? match : String(values[index]);
  });
}

/**
 * Turns a GraphQL UI API node into a plain object: `{ Field: { value } }` → `Field: value`, child connections
 * (`{ edges: [{ node }] }`) → arrays, parent records → nested plain objects, `Id` kept as is.
 * @param {object} node
 * @returns {object}
 */
export function unwrapNode(node) {
  if (!node || typeof node !== 'object') return node;
  const plain = {};
  for (const [key, field] of Object.entries(node)) {
    if (field === null || typeof field !== 'object') plain[key] = field;
    else if (Array.isArray(field.edges)) plain[key] = field.edges.map((edge) => unwrapNode(edge.node));
    else if ('value' in field) plain[key] = field.value;
    else plain[key] = unwrapNode(field);
  }
  return plain;
}

/**
 * The edges of a top-level GraphQL query result as plain objects.
 * @param {object} data the wire's `data`
 * @param {string} objectApiName the query's root field (e.g. Invoice__c)
 * @returns {object[]}
 */
export function queryNodes(data, objectApiName) {
  return (data?.uiapi?.query?.[objectApiName]?.edges ?? []).map((edge) => unwrapNode(edge.node));
}

/** The streaming channel of Sync_Update__e, namespaced when the package is (/event/ldgr__Sync_Update__e). */
export const SYNC_UPDATE_CHANNEL = `/event/${SYNC_UPDATE_EVENT.objectApiName}`;

// Event fields arrive under their namespaced API name in the package; accept the bare name too.
function payloadValue(payload, field) {
  const name = field.fieldApiName;
  const bare = name.replace(/^[A-Za-z0-9]+__(?=.+__c$)/, '');
  return payload?.[name] ?? payload?.[bare];
}

// Salesforce ids compare on their first 15 characters (the 18-character form adds a case-safe suffix).
const idKey = (id) => (id ? String(id).trim().slice(0, 15) : '');

/**
 * Whether a Sync_Update__e message names any of the given record ids: in Record_Ids__c (comma-separated), or as its
 * Invoice_Id__c, Opportunity_Id__c or Account_Id__c.
 * @param {object} message the empApi message ({ data: { payload } })
 * @param {string[]} recordIds ids this component shows
 * @returns {boolean}
 */
export function syncUpdateNames(message, recordIds) {
  const payload = message?.data?.payload;
  if (!payload) return false;
  const wanted = new Set((recordIds ?? []).map(idKey).filter((key) => key));
  const named = [
    ...String(payloadValue(payload, RECORD_IDS_FIELD) ?? '').split(','),
    payloadValue(payload, INVOICE_ID_FIELD),
    payloadValue(payload, OPPORTUNITY_ID_FIELD),
    payloadValue(payload, ACCOUNT_ID_FIELD),
  ];
  return named.some((id) => wanted.has(idKey(id)));
}

/**
 * Subscribes to Sync_Update__e when the streaming API is available here (it is not in every container, e.g. the
 * mobile app), calling `onUpdate(message)` for every event. Resolves to the subscription, or null.
 * @param {function(object): void} onUpdate
 * @returns {Promise<object|null>}
 */
export async function subscribeToSyncUpdates(onUpdate) {
  try {
    if (!(await isEmpEnabled())) return null;
    return await subscribe(SYNC_UPDATE_CHANNEL, -1, onUpdate);
  } catch {
    // Live refresh is a convenience: without it the component still shows data and has a refresh button.
    return null;
  }
}

/**
 * Ends a subscription from subscribeToSyncUpdates (null is fine).
 * @param {Promise<object|null>|object|null} subscription
 * @returns {Promise<void>}
 */
export async function unsubscribeFromSyncUpdates(subscription) {
  const resolved = await subscription;
  if (resolved) await unsubscribe(resolved, () => {});
}

// A tab coming back fires visibilitychange and then focus; one refresh serves both.
const CATCH_UP_WINDOW_MS = 2000;

/**
 * Keeps a record page current while spending the org's streaming allocations only on pages someone can see. Every
 * user with a subscribed page is one concurrent CometD client and receives every Sync_Update__e the bridge
 * publishes, counted against the org's daily event-delivery allocation, which the bridge's own subscription shares
 * (README "Live refresh and the org's streaming allocations"). So:
 * - with live refresh on (Ledgerline_Settings__c.Live_Refresh__c), the page subscribes only while it is visible
 *   (Page Visibility API), unsubscribes when hidden, and reads its data again once when shown;
 * - with it off, or where streaming is unavailable, it never subscribes and reads its data again when shown or when
 *   the window gets focus.
 * Nothing is subscribed until the setting is known (setEnabled).
 * @param {object} handlers
 * @param {function(object): void} handlers.onMessage called with each Sync_Update__e message while subscribed
 * @param {function(): *} handlers.refresh reads the page's data again
 * @returns {{connect: function(): void, disconnect: function(): void, setEnabled: function(boolean): void}}
 */
export function createLiveRefresh({ onMessage, refresh }) {
  let enabled; // undefined until the setting arrives
  let connected = false;
  let subscription = null; // a Promise of the empApi subscription (or of null where streaming is unavailable)
  let live = false; // subscribed and receiving
  let missed = false; // updates may have gone by unseen since the data was last read
  let lastCatchUp = -Infinity;

  const visible = () => document.visibilityState === 'visible';

  function sync() {
    const wanted = connected && enabled === true && visible();
    if (wanted && !subscription) {
      const pending = subscribeToSyncUpdates(onMessage);
      subscription = pending;
      pending.then((resolved) => {
        if (subscription === pending) live = !!resolved;
      });
    } else if (!wanted && subscription) {
      unsubscribeFromSyncUpdates(subscription);
      subscription = null;
      live = false;
      missed = true;
    }
  }

  function catchUp() {
    const now = Date.now();
    if (now - lastCatchUp < CATCH_UP_WINDOW_MS) return;
    lastCatchUp = now;
    missed = false;
    refresh();
  }

  function onVisibilityChange() {
    if (!visible()) missed = true;
    sync();
    if (visible() && missed) catchUp();
  }

  function onFocus() {
    // Subscribed all along: nothing was missed. Otherwise (off, no streaming here, back from hidden) read again.
    if (!live || missed) catchUp();
  }

  return {
    connect() {
      connected = true;
      missed = !visible(); // opened in a background tab: read again when first shown
      document.addEventListener('visibilitychange', onVisibilityChange);
      window.addEventListener('focus', onFocus);
      sync();
    },
    disconnect() {
      connected = false;
      document.removeEventListener('visibilitychange', onVisibilityChange);
      window.removeEventListener('focus', onFocus);
      sync();
    },
    setEnabled(value) {
      enabled = value === true;
      sync();
    },
  };
}
