import { DomainError, throwIfProblems } from './errors';

describe('errors', () => {
  it('lists every problem in one readable message', () => {
    expect(() => throwIfProblems('INVALID_INVOICE', 'Cannot create the invoice', [])).not.toThrow();
    expect(() => throwIfProblems('INVALID_INVOICE', 'Cannot create the invoice', ['no lines'])).toThrow(
      'Cannot create the invoice: no lines',
    );
    try {
      throwIfProblems('INVALID_INVOICE', 'Cannot create the invoice', ['a', 'b']);
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({
        name: 'DomainError',
        code: 'INVALID_INVOICE',
        message: 'Cannot create the invoice: a; b',
        problems: ['a', 'b'],
      });
    }
    expect.assertions(4);
  });
});
