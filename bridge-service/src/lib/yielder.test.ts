import { createYielder } from './yielder';

describe('createYielder', () => {
  it('lets the event loop turn once a slice of CPU has passed, not before', async () => {
    let t = 0;
    const yielder = createYielder(10, () => t);
    const turns: string[] = [];
    const ran = () => new Promise<void>((resolve) => setImmediate(() => (turns.push('turn'), resolve())));

    void ran();
    t = 9;
    await yielder.pause();
    turns.push('within the slice');
    t = 10;
    await yielder.pause();
    turns.push('after the slice');
    expect(turns).toEqual(['within the slice', 'turn', 'after the slice']);

    // the slice starts again from the turn
    void ran();
    t = 19;
    await yielder.pause();
    turns.push('next slice');
    expect(turns.at(-1)).toBe('next slice');
    expect(turns.filter((x) => x === 'turn')).toHaveLength(1);
  });
});
