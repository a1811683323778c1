import { createOwnWrites } from './own-writes';

const V = Date.parse('2026-03-01T10:00:00.600Z');

describe('own writes: what the bridge just changed in Xero, for telling its echoes', () => {
  let now = 0;
  const clock = { now: () => now };
  beforeEach(() => {
    now = 0;
  });

  it('the approval: its version’s second and before; the email: only the time it can have happened in', () => {
    const own = createOwnWrites({ clock });
    now = 100; // the status call sent at 0, answered at 100 (Xero's version V)
    own.answered('T', 'INV', V, 0);
    expect(own.echo('t', 'inv', V - 60_000)).toEqual({ version: V }); // an older event: the flow writes V over it
    expect(own.echo('T', 'INV', V)).toEqual({ version: V });
    expect(own.echo('T', 'INV', V + 1)).toBeUndefined(); // after the approval, no email yet: someone else's change
    now = 2_100; // the email sent 2 s after the answer: in Xero's clock no earlier than V + 2 s
    const answered = own.follow('T', 'INV');
    // unanswered, its webhook may come first: open
    expect(own.echo('T', 'INV', V + 600_000)).toEqual({ version: V });
    now = 2_400;
    answered(); // at most 2.4 s after the status call was sent
    expect(own.echo('T', 'INV', V + 1_999)).toBeUndefined();
    expect(own.echo('T', 'INV', V + 2_000)).toEqual({ version: V });
    expect(own.echo('T', 'INV', V + 2_400)).toEqual({ version: V });
    expect(own.echo('T', 'INV', V + 2_401)).toBeUndefined();
    expect(own.echo('T', 'OTHER', V)).toBeUndefined();
    expect(own.echo('OTHER', 'INV', V)).toBeUndefined();
  });

  it('forgotten when asked, after its time, and oldest first beyond the most it holds', () => {
    const own = createOwnWrites({ clock, ttlMs: 1_000, max: 2 });
    own.answered('T', 'A', V, 0);
    own.answered('T', 'B', V, 0);
    own.answered('T', 'C', V, 0);
    expect(own.size()).toBe(2);
    expect(own.echo('T', 'A', V)).toBeUndefined();
    own.forget('T', 'B');
    expect(own.echo('T', 'B', V)).toBeUndefined();
    expect(own.echo('T', 'C', V)).toBeDefined();
    now = 1_001;
    expect(own.echo('T', 'C', V)).toBeUndefined();
    expect(own.size()).toBe(0);
  });
});
