import { checkFormula, evaluateFormula, formulaFields, parseFormula } from './formula';

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

describe('formula functions of validation rules', () => {
  const saving = (fields: Record<string, unknown>, prior: Record<string, unknown> | undefined) => ({
    ...env(fields, [], false),
    save: { isNew: prior === undefined, prior: (n: string) => prior?.[n] },
  });
  const check = (src: string, fields: Record<string, unknown>, prior?: Record<string, unknown>) => {
    const ast = parseFormula(src);
    checkFormula(ast, { validationRule: true });
    return evaluateFormula(ast, saving(fields, prior));
  };

  it('ISNEW is true only while a record is created', () => {
    expect(check('ISNEW()', { Status__c: 'Open' })).toBe(true);
    expect(check('ISNEW()', { Status__c: 'Open' }, { Status__c: 'Open' })).toBe(false);
  });

  it('PRIORVALUE reads the value before the save, and the value being saved on a new record', () => {
    const frozen = 'AND(NOT(ISNEW()), ISPICKVAL(PRIORVALUE(Status__c), "Closed"))';
    expect(check('PRIORVALUE(Status__c)', { Status__c: 'Closed' }, { Status__c: 'Open' })).toBe('Open');
    expect(check('PRIORVALUE(Status__c)', { Status__c: 'Closed' })).toBe('Closed');
    expect(check(frozen, { Status__c: 'Closed' }, { Status__c: 'Open' })).toBe(false);
    expect(check(frozen, { Status__c: 'Open' }, { Status__c: 'Closed' })).toBe(true);
    expect(check(frozen, { Status__c: 'Closed' }, { Status__c: 'Closed' })).toBe(true);
    expect(check(frozen, { Status__c: 'Closed' })).toBe(false);
  });

  it('ISCHANGED compares with the value before the save, and is false on a new record', () => {
    expect(check('ISCHANGED(Rate__c)', { Rate__c: 1.3 }, { Rate__c: 1.2 })).toBe(true);
    expect(check('ISCHANGED(Rate__c)', { Rate__c: 1.2 }, { Rate__c: 1.2 })).toBe(false);
    expect(check('ISCHANGED(Rate__c)', { Rate__c: 1.2 }, { Rate__c: null })).toBe(true);
    expect(check('ISCHANGED(Rate__c)', { Rate__c: 1.2 })).toBe(false);
  });

  it('REGEX matches the whole text (Java String.matches), a blank text as empty', () => {
    expect(check('REGEX(Code__c, "[A-Z]{3}")', { Code__c: 'USD' })).toBe(true);
    expect(check('REGEX(Code__c, "[A-Z]{3}")', { Code__c: 'USDX' })).toBe(false);
    expect(check('REGEX(Code__c, "[A-Z]{3}")', { Code__c: 'xUSD' })).toBe(false);
    expect(check('REGEX(Code__c, "[A-Z]{3}")', { Code__c: 'usd' })).toBe(false);
    expect(check('REGEX(Code__c, "[A-Z]{3}")', { Code__c: null })).toBe(false);
    expect(check('REGEX(Code__c, "A|B")', { Code__c: 'AB' })).toBe(false);
    expect(check('REGEX(Code__c, "\\\\d+")', { Code__c: '2026' })).toBe(true);
  });

  it('refuses what it cannot read as Salesforce does, before anything runs', () => {
    const refuse = (src: string, validationRule = true) =>
      expect(() => checkFormula(parseFormula(src), { validationRule }));
    refuse('VLOOKUP(Rate__c, Code__c, "USD")').toThrow('formula: unsupported function VLOOKUP');
    refuse('AND(ISNEW(), INCLUDES(Tags__c, "a"))').toThrow('unsupported function INCLUDES');
    refuse('ISNEW()', false).toThrow('ISNEW is available only in validation rules');
    refuse('ISCHANGED(Rate__c + 1)').toThrow('ISCHANGED takes a field');
    refuse('ISPICKVAL(Status__c)').toThrow('ISPICKVAL takes 2 arguments, not 1');
    refuse('REGEX(Code__c, Pattern__c)').toThrow('REGEX takes a literal pattern');
    refuse('REGEX(Code__c, "\\\\p{Alpha}+")').toThrow('Java construct');
    refuse('REGEX(Code__c, "[A-Z]++")').toThrow('Java construct');
    expect(() => evaluateFormula(parseFormula('ISNEW()'), env({}))).toThrow('available only in validation rules');
  });

  it('lists the fields a formula reads, parents included', () => {
    expect(formulaFields(parseFormula('AND(ISPICKVAL(KPI_Snapshot__r.Status__c, "Closed"), Rate__c > 0)'))).toEqual([
      'KPI_Snapshot__r.Status__c',
      'Rate__c',
    ]);
  });
});
