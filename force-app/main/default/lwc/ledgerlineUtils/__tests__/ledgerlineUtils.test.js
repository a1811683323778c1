import {
  LABELS,
  SYNC_UPDATE_CHANNEL,
  createLiveRefresh,
  formatLabel,
  queryNodes,
  reduceErrors,
  subscribeToSyncUpdates,
  syncUpdateNames,
  unsubscribeFromSyncUpdates,
  unwrapNode,
} from 'c/ledgerlineUtils';
import { isEmpEnabled, subscribe, unsubscribe } from 'lightning/empApi';

// In the package the schema imports carry the namespace; these ones do too, to prove the payload is read by them.
jest.mock('@salesforce/schema/Sync_Update__e', () => ({ default: { objectApiName: 'ldgr__Sync_Update__e' } }), {
  virtual: true,
});
jest.mock(
  '@salesforce/schema/Sync_Update__e.Record_Ids__c',
  () => ({ default: { objectApiName: 'ldgr__Sync_Update__e', fieldApiName: 'ldgr__Record_Ids__c' } }),
  { virtual: true },
);

describe('c/ledgerlineUtils', () => {
  afterEach(() => {
    jest.clearAllMocks();
  });

  describe('reduceErrors', () => {
    it.each([
      ['a string', 'Plain words', ['Plain words']],
      ['an Apex error', { body: { message: 'Apex said no' } }, ['Apex said no']],
      ['a UI API error list', { body: [{ message: 'One' }, { message: 'Two' }] }, ['One', 'Two']],
      [
        'page and field errors',
        { body: { pageErrors: [{ message: 'Page' }], fieldErrors: { Name: [{ message: 'Field' }] } } },
        ['Page', 'Field'],
      ],
      ['GraphQL errors', [{ message: 'Bad query' }, { message: 'Worse' }], ['Bad query', 'Worse']],
      ['a JS error', new Error('Broke'), ['Broke']],
      ['a bare status', { statusText: 'Server Error' }, ['Server Error']],
      ['nothing', undefined, []],
    ])('reads %s', (_name, error, messages) => {
      expect(reduceErrors(error)).toEqual(messages);
    });
  });

  it('fills label placeholders and leaves unknown ones', () => {
    expect(formatLabel('{0} of {1}', 3, 10)).toBe('3 of 10');
    expect(formatLabel('{0} and {2}', 'a')).toBe('a and {2}');
    expect(formatLabel(undefined)).toBe('');
  });

  it('unwraps GraphQL nodes, child connections and parent records', () => {
    const node = {
      Id: 'a01',
      Name: { value: 'INV-1' },
      Empty: null,
      Parent__r: { Number__c: { value: 'P-1' } },
      Children: { edges: [{ node: { Id: 'c1', Amount__c: { value: 5 } } }] },
    };
    expect(unwrapNode(node)).toEqual({
      Id: 'a01',
      Name: 'INV-1',
      Empty: null,
      Parent__r: { Number__c: 'P-1' },
      Children: [{ Id: 'c1', Amount__c: 5 }],
    });
    expect(queryNodes({ uiapi: { query: { Invoice__c: { edges: [{ node }] } } } }, 'Invoice__c')).toHaveLength(1);
    expect(queryNodes(undefined, 'Invoice__c')).toEqual([]);
    expect(unwrapNode(null)).toBeNull();
  });

  describe('Sync_Update__e', () => {
    it('uses the namespaced channel', () => {
      expect(SYNC_UPDATE_CHANNEL).toBe('/event/ldgr__Sync_Update__e');
    });

    it('reads namespaced and bare payload fields and compares 15- and 18-character ids', () => {
      const namespaced = { data: { payload: { ldgr__Record_Ids__c: 'a0B000000000001, a0B000000000002AAA' } } };
      expect(syncUpdateNames(namespaced, ['a0B000000000002AAA'])).toBe(true);
      expect(syncUpdateNames(namespaced, ['a0B000000000001XYZ'])).toBe(true);
      expect(syncUpdateNames(namespaced, ['a0B000000000003AAA'])).toBe(false);
      const bare = { data: { payload: { Account_Id__c: '001000000000001AAA' } } };
      expect(syncUpdateNames(bare, ['001000000000001AAA'])).toBe(true);
    });

    it('ignores messages without a payload and empty ids', () => {
      expect(syncUpdateNames({}, ['001000000000001AAA'])).toBe(false);
      expect(syncUpdateNames({ data: { payload: { Record_Ids__c: '' } } }, [undefined, ''])).toBe(false);
    });

    it('does not subscribe where the streaming API is unavailable', async () => {
      isEmpEnabled.mockResolvedValueOnce(false);
      await expect(subscribeToSyncUpdates(jest.fn())).resolves.toBeNull();
      expect(subscribe).not.toHaveBeenCalled();
    });

    it('survives a failing subscription', async () => {
      subscribe.mockRejectedValueOnce(new Error('no CometD'));
      await expect(subscribeToSyncUpdates(jest.fn())).resolves.toBeNull();
      await unsubscribeFromSyncUpdates(Promise.resolve(null));
      expect(unsubscribe).not.toHaveBeenCalled();
    });
  });

  describe('createLiveRefresh', () => {
    let visibility;
    let live;
    let refresh;
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
    const show = async (state) => {
      visibility = state;
      document.dispatchEvent(new CustomEvent('visibilitychange'));
      await settle();
    };
    const focus = async () => {
      window.dispatchEvent(new CustomEvent('focus'));
      await settle();
    };

    beforeEach(() => {
      visibility = 'visible';
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
      jest.useFakeTimers({
        now: new Date('2026-11-27T18:00:00Z'),
        doNotFake: ['setTimeout', 'nextTick', 'queueMicrotask'],
      });
      refresh = jest.fn();
      live = createLiveRefresh({ onMessage: jest.fn(), refresh });
    });

    afterEach(() => {
      live.disconnect();
      jest.useRealTimers();
    });

    it('waits for the setting before subscribing', async () => {
      live.connect();
      await settle();
      expect(subscribe).not.toHaveBeenCalled();
      live.setEnabled(true);
      await settle();
      expect(subscribe).toHaveBeenCalledTimes(1);
    });

    it('unsubscribes when the setting turns off, and from then on reads again on focus', async () => {
      live.connect();
      live.setEnabled(true);
      await settle();
      live.setEnabled(false);
      await settle();
      expect(unsubscribe).toHaveBeenCalledTimes(1);
      await focus();
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('reads again once for a show and a focus together, and again for the next show', async () => {
      live.connect();
      live.setEnabled(true);
      await settle();
      await show('hidden');
      await show('visible');
      await focus();
      expect(refresh).toHaveBeenCalledTimes(1);
      jest.advanceTimersByTime(2000);
      await show('hidden');
      await show('visible');
      expect(refresh).toHaveBeenCalledTimes(2);
      expect(subscribe).toHaveBeenCalledTimes(3);
      expect(unsubscribe).toHaveBeenCalledTimes(2);
    });

    it('keeps one subscription however often the setting arrives', async () => {
      live.connect();
      live.setEnabled(true);
      live.setEnabled(true);
      await show('visible');
      expect(subscribe).toHaveBeenCalledTimes(1);
    });
  });

  it('exposes every label', () => {
    expect(Object.values(LABELS).every((label) => typeof label === 'string' && label.length > 0)).toBe(true);
  });
});
