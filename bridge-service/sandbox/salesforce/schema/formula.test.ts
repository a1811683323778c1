import { evaluateFormula, parseFormula } from './formula';

const NOW = Date.UTC(2026, 0, 15, 9, 0, 0);
const env = (fields: Record<string, unknown>, dates: string[] = [], blankAsZero = true) => ({
  field: (n: string) => fields[n],
  isDate: (n: string) => dates.includes(n),
  now: NOW,
  blankAsZero,
});
const run = (src: string, fields: Record<string, unknown> = {}, dates: string[] = [], blankAsZero = true) =>
  evaluateFormula(parseFormula(src), env(fields, dates, blankAsZero));

describe('formula evaluator', () => {
  const daysOverdue =
    "IF(AND(Amount_Due__c > 0, NOT(ISBLANK(Due_Date__c)), TODAY() > Due_Date__c, OR(ISPICKVAL(Status__c, 'Authorised'), ISPICKVAL(Status__c, 'Partially Paid'))), TODAY() - Due_Date__c, 0)";

  it("computes the package's Days_Overdue__c", () => {
    expect(
      run(daysOverdue, { Amount_Due__c: 10, Due_Date__c: '2026-01-05', Status__c: 'Authorised' }, ['Due_Date__c']),
    ).toBe(10);
    expect(
      run(daysOverdue, { Amount_Due__c: 10, Due_Date__c: '2026-01-20', Status__c: 'Authorised' }, ['Due_Date__c']),
    ).toBe(0);
    expect(
      run(daysOverdue, { Amount_Due__c: null, Due_Date__c: '2026-01-05', Status__c: 'Authorised' }, ['Due_Date__c']),
    ).toBe(0);
    expect(run(daysOverdue, { Amount_Due__c: 10, Due_Date__c: '2026-01-05', Status__c: 'Paid' }, ['Due_Date__c'])).toBe(
      0,
    );
    expect(run(daysOverdue, { Amount_Due__c: 10, Due_Date__c: null, Status__c: 'Authorised' }, ['Due_Date__c'])).toBe(
      0,
    );
  });

  it('handles precedence, concatenation, CASE, BLANKVALUE and blanks', () => {
    expect(run('1 + 2 * 3 - 4 / 2')).toBe(5);
    expect(run('"INV-" & Name & "!"', { Name: 'A1' })).toBe('INV-A1!');
    expect(run("CASE(Status__c, 'Paid', 1, 'Voided', 2, 0)", { Status__c: 'Voided' })).toBe(2);
    expect(run("BLANKVALUE(Reference__c, 'none')", { Reference__c: null })).toBe('none');
    expect(run('Amount__c * 2', { Amount__c: null }, [], false)).toBeNull();
    expect(run('ROUND(Total__c / 3, 2)', { Total__c: 10 })).toBe(3.33);
    expect(() => parseFormula('IF(1,')).toThrow();
  });
});
