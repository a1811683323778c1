import { matchAccounts, type AccountToMatch, type MatchOutcome, type XeroContactSummary } from './contact-matching';
import { nameKeys, nameTokens, normaliseEmail, normaliseIdentifier } from './contact-names';

const ACME = '001000000000001AAA';
const GLOBEX = '001000000000002AAA';
const INITECH = '001000000000003AAA';

const contact = (contactId: string, name: string, extra: Partial<XeroContactSummary> = {}): XeroContactSummary => ({
  contactId,
  name,
  status: 'ACTIVE',
  ...extra,
});
const account = (accountId: string, name: string, extra: Partial<AccountToMatch> = {}): AccountToMatch => ({
  accountId,
  name,
  ...extra,
});
const one = (
  a: AccountToMatch,
  contacts: XeroContactSummary[],
  links = [] as { accountId: string; contactId: string }[],
) => matchAccounts([a], contacts, links)[0]!;
const summary = (outcome: MatchOutcome) =>
  outcome.kind === 'linked'
    ? `linked ${outcome.contactId} by ${outcome.method}`
    : outcome.kind === 'review'
      ? `review ${outcome.reason}`
      : 'create';

describe('names', () => {
  it.each([
    ['Acme Ltd', 'ACME LIMITED'],
    ['Acme Ltd', 'acme ltd.'],
    ['  Acme   Ltd ', 'Acme Ltd'],
    ['A.B.C. Trading Ltd', 'ABC Trading Limited'],
    ['Coca-Cola Company', 'Coca Cola Co.'],
    ['Société Générale S.A.', 'Societe Generale SA'],
    ['Smith & Jones LLP', 'Smith and Jones LLP'],
    ['Müller GmbH & Co. KG', 'MULLER GMBH AND CO KG'],
    ['Wombat Holdings Pty. Ltd.', 'Wombat Holdings Proprietary Limited'],
    ['Großhandel AG', 'Grosshandel AG'],
    ['Van Dijk B.V.', 'van dijk BV'],
  ])('"%s" and "%s" are the same name (exact key)', (a, b) => {
    expect(nameKeys(a)!.exact).toBe(nameKeys(b)!.exact);
  });

  it.each([
    ['Acme', 'Acme Ltd'],
    ['Acme Inc', 'Acme GmbH'],
    ['The Acme Ltd', 'Acme Ltd'],
    ['Wombat Pty Ltd', 'Wombat Ltd'],
  ])('"%s" and "%s" share only the core: different exact keys', (a, b) => {
    expect(nameKeys(a)!.exact).not.toBe(nameKeys(b)!.exact);
    expect(nameKeys(a)!.core).toBe(nameKeys(b)!.core);
  });

  it('keeps a name that is only a company form, and reads every form at the end', () => {
    expect(nameKeys('Ltd')).toEqual({ exact: 'ltd|', core: 'ltd', forms: [] });
    expect(nameKeys('Co Ltd')).toEqual({ exact: 'co|ltd', core: 'co', forms: ['ltd'] });
    expect(nameKeys('Müller GmbH & Co. KG')!.forms).toEqual(['gmbh', 'co', 'kg']);
    expect(nameKeys('Johnson and Johnson Ltd')!.core).toBe('johnsonandjohnson');
    expect(nameKeys('...')).toBeUndefined();
    expect(nameTokens('O’Brien & Sons A/S')).toEqual(['obrien', 'and', 'sons', 'as']);
  });

  it('normalises emails and identifiers', () => {
    expect(normaliseEmail('  AP@Acme.Example ')).toBe('ap@acme.example');
    expect(normaliseEmail('not an email')).toBeUndefined();
    expect(normaliseIdentifier('GB 123.456 78')).toBe('GB12345678');
    expect(normaliseIdentifier('  ')).toBeUndefined();
  });
});

describe('matchAccounts: the order', () => {
  it('an existing link wins over everything, even a better-looking name', () => {
    const outcome = one(
      account(ACME, 'Acme Ltd'),
      [contact('c1', 'Acme Ltd'), contact('c2', 'Acme Holdings')],
      [{ accountId: ACME.slice(0, 15), contactId: 'c2' }],
    );
    expect(summary(outcome)).toBe('linked c2 by link');
  });

  it('the bridge’s own ContactNumber (15- or 18-char Account Id) links, even under a disambiguated name', () => {
    const outcome = one(account(ACME, 'Acme Ltd'), [
      contact('c1', 'Acme Ltd'),
      contact('c2', `Acme Ltd (${ACME})`, { contactNumber: ACME.slice(0, 15) }),
    ]);
    expect(summary(outcome)).toBe('linked c2 by contact-number');
  });

  it('an account number links when the names agree, or differ by company form only', () => {
    const contacts = [contact('c1', 'Acme Limited', { accountNumber: 'CUST-0042' }), contact('c2', 'Acme Ltd')];
    // c2 has the exact name but no number; c1 has the number and the same name spelt differently: c1 by number.
    expect(summary(one(account(ACME, 'Acme Ltd', { accountNumber: 'cust 0042' }), contacts))).toBe(
      'linked c1 by account-number',
    );
    expect(
      summary(
        one(account(ACME, 'Acme', { accountNumber: 'CUST-0042' }), [
          contact('c1', 'Acme Inc', { accountNumber: 'CUST-0042' }),
        ]),
      ),
    ).toBe('linked c1 by account-number');
  });

  it('a tax number links with or without the country prefix', () => {
    const outcome = one(account(ACME, 'Acme Ltd', { taxNumber: '123 4567 89' }), [
      contact('c1', 'ACME LTD', { taxNumber: 'GB123456789' }),
    ]);
    expect(summary(outcome)).toBe('linked c1 by tax-number');
  });

  it('an identifier with another name goes to review, unless both identifiers agree', () => {
    const renamed = contact('c1', 'Globex Corporation', { accountNumber: 'A-1', taxNumber: 'GB999' });
    const byNumber = one(account(ACME, 'Acme Ltd', { accountNumber: 'A-1' }), [renamed]);
    expect(byNumber.kind === 'review' && byNumber.message).toBe(
      'Xero contact "Globex Corporation" has Acme Ltd\'s account or tax number, but another name',
    );
    expect(summary(one(account(ACME, 'Acme Ltd', { accountNumber: 'A-1', taxNumber: 'GB 999' }), [renamed]))).toBe(
      'linked c1 by tax-number',
    );
  });

  it('the billing email decides between two spellings of the same name', () => {
    const outcome = one(account(ACME, 'Acme Ltd', { billingEmail: ' AP@acme.example' }), [
      contact('c1', 'Acme Ltd', { emailAddress: 'accounts@acme.example' }),
      contact('c2', 'ACME LIMITED', { emailAddress: 'ap@ACME.example' }),
    ]);
    expect(summary(outcome)).toBe('linked c2 by email');
  });

  it('the same email with another name is a review (a group’s shared mailbox)', () => {
    const outcome = one(account(ACME, 'Acme Ltd', { billingEmail: 'ap@group.example' }), [
      contact('c1', 'Acme Group Holdings', { emailAddress: 'ap@group.example' }),
    ]);
    expect(summary(outcome)).toBe('review NAME_DIFFERS');
  });

  it.each([
    ['Acme Ltd', 'Acme Ltd'],
    ['acme ltd', 'ACME LIMITED'],
    ['A.C.M.E. Ltd', 'ACME Ltd.'],
    ['Acme & Sons Ltd', 'Acme and Sons Limited'],
  ])('the name "%s" links to the contact "%s"', (ours, theirs) => {
    expect(summary(one(account(ACME, ours), [contact('c1', theirs), contact('c2', 'Other Ltd')]))).toBe(
      'linked c1 by name',
    );
  });

  it.each([
    ['Acme', 'Acme Ltd'],
    ['Acme Inc', 'Acme GmbH'],
    ['The Acme Company', 'Acme Company'],
  ])('the name "%s" against "%s" (company form only) is a review, never a link or a new contact', (ours, theirs) => {
    const outcome = one(account(ACME, ours), [contact('c1', theirs)]);
    expect(summary(outcome)).toBe('review COMPANY_FORM_DIFFERS');
    expect(outcome.kind === 'review' && outcome.candidates.map((c) => [c.contactId, c.signals])).toEqual([
      ['c1', ['name-form']],
    ]);
  });

  it('no candidate at any rank → create', () => {
    expect(summary(one(account(ACME, 'Acme Ltd'), [contact('c1', 'Globex Ltd')]))).toBe('create');
    expect(summary(one(account(ACME, 'Acme Ltd'), []))).toBe('create');
  });
});

describe('matchAccounts: what goes to review', () => {
  it('two contacts with the same name written differently: the true ambiguity', () => {
    const outcome = one(account(INITECH, 'Initech'), [
      contact('c1', 'Initech Ltd'),
      contact('c2', 'INITECH LIMITED'),
      contact('c3', 'Initech'),
    ]);
    // "Initech" is the exact name of c3 only; c1 and c2 differ by company form: c3 links.
    expect(summary(outcome)).toBe('linked c3 by name');
    const ambiguous = one(account(INITECH, 'Initech Ltd'), [
      contact('c1', 'Initech Ltd'),
      contact('c2', 'INITECH LIMITED'),
    ]);
    expect(ambiguous).toMatchObject({
      kind: 'review',
      reason: 'AMBIGUOUS',
      message: '2 Xero contacts match Initech Ltd by name: "INITECH LIMITED", "Initech Ltd"',
    });
  });

  it('the account number points at one contact and the tax number at another', () => {
    const outcome = one(account(ACME, 'Acme Ltd', { accountNumber: '42', taxNumber: 'GB7' }), [
      contact('c1', 'Acme Ltd', { accountNumber: '42' }),
      contact('c2', 'Acme UK Ltd', { taxNumber: 'GB7' }),
    ]);
    expect(summary(outcome)).toBe('review AMBIGUOUS');
  });

  it('the same name but a different tax number', () => {
    const outcome = one(account(ACME, 'Acme Ltd', { taxNumber: 'GB111' }), [
      contact('c1', 'Acme Ltd', { taxNumber: 'GB222' }),
    ]);
    expect(outcome).toMatchObject({
      kind: 'review',
      reason: 'IDENTIFIER_CONFLICT',
      message: 'Xero contact "Acme Ltd" matches, but the tax number GB111 in Salesforce, GB222 in Xero',
    });
  });

  it('an archived contact never links, and is never duplicated either', () => {
    expect(summary(one(account(ACME, 'Acme Ltd'), [contact('c1', 'Acme Ltd', { status: 'ARCHIVED' })]))).toBe(
      'review ARCHIVED',
    );
    expect(
      summary(
        one(
          account(ACME, 'Acme Ltd'),
          [contact('c1', 'Acme Ltd', { status: 'ARCHIVED' })],
          [{ accountId: ACME, contactId: 'c1' }],
        ),
      ),
    ).toBe('review ARCHIVED');
  });

  it('a contact under a GDPR request is ignored', () => {
    expect(summary(one(account(ACME, 'Acme Ltd'), [contact('c1', 'Acme Ltd', { status: 'GDPRREQUEST' })]))).toBe(
      'create',
    );
  });

  it('a link to a contact no longer in Xero', () => {
    const outcome = one(
      account(ACME, 'Acme Ltd'),
      [contact('c1', 'Acme Ltd')],
      [{ accountId: ACME, contactId: 'gone' }],
    );
    expect(outcome).toMatchObject({ kind: 'review', reason: 'LINK_MISSING' });
    expect(outcome.kind === 'review' && outcome.candidates[0]!.contactId).toBe('c1');
  });

  it('reverse check: one contact claimed by two Accounts sends both to review', () => {
    const outcomes = matchAccounts(
      [
        account(ACME, 'Acme Ltd'),
        account(GLOBEX, 'Globex', { billingEmail: 'ap@acme.example' }),
        account(INITECH, 'Initech'),
      ],
      [contact('c1', 'ACME LIMITED', { emailAddress: 'ap@acme.example' }), contact('c3', 'Initech')],
    );
    expect(outcomes.map(summary)).toEqual(['linked c1 by name', 'review NAME_DIFFERS', 'linked c3 by name']);
    const twice = matchAccounts(
      [account(ACME, 'Acme Ltd'), account(GLOBEX, 'Acme Limited')],
      [contact('c1', 'Acme Ltd')],
    );
    expect(twice.map(summary)).toEqual(['review CLAIMED_TWICE', 'review CLAIMED_TWICE']);
    expect(twice[0]!.kind === 'review' && twice[0]!.message).toBe(
      'Xero contact "Acme Ltd" is claimed by more than one Account (Acme Ltd, Acme Limited); one contact belongs to one Account',
    );
  });

  it('reverse check: a contact another Account is linked to stays with it', () => {
    const outcomes = matchAccounts(
      [account(ACME, 'Acme Ltd')],
      [contact('c1', 'Acme Ltd')],
      [{ accountId: GLOBEX, contactId: 'c1' }],
    );
    expect(outcomes.map(summary)).toEqual(['review CLAIMED_TWICE']);
  });

  it('candidates are listed strongest first, with every signal and the contact’s identifiers', () => {
    const outcome = one(account(ACME, 'Acme Ltd', { billingEmail: 'ap@acme.example', taxNumber: 'GB1' }), [
      contact('c2', 'Acme', { emailAddress: 'ap@acme.example' }),
      contact('c1', 'Acme Ltd', { taxNumber: 'GB1' }),
    ]);
    expect(summary(outcome)).toBe('linked c1 by tax-number');
    expect(outcome.kind === 'linked' && outcome.candidates).toEqual([
      {
        contactId: 'c1',
        name: 'Acme Ltd',
        status: 'ACTIVE',
        signals: ['tax-number', 'name'],
        conflicts: [],
        taxNumber: 'GB1',
      },
      {
        contactId: 'c2',
        name: 'Acme',
        status: 'ACTIVE',
        signals: ['email', 'name-form'],
        conflicts: [],
        emailAddress: 'ap@acme.example',
      },
    ]);
  });
});

describe('matchAccounts: a go-live tenant', () => {
  // 200 contacts: 149 unrelated, 40 named exactly as Accounts, 8 differing by case or company-form spelling,
  // 1 differing by the company form itself, and one name held by two contacts (the true ambiguity).
  it('links the exact and respelt names, reviews the form-only and the ambiguous one, creates the rest', () => {
    const id = (n: number) => `001000000000${String(n).padStart(3, '0')}AAA`;
    const contacts: XeroContactSummary[] = [];
    const accounts: AccountToMatch[] = [];
    for (let i = 0; i < 149; i++) contacts.push(contact(`x${i}`, `Unrelated Customer ${i} Ltd`));
    for (let i = 0; i < 40; i++) {
      contacts.push(contact(`e${i}`, `Exact Customer ${i} Ltd`));
      accounts.push(account(id(i), `Exact Customer ${i} Ltd`));
    }
    for (let i = 0; i < 8; i++) {
      contacts.push(contact(`r${i}`, i % 2 ? `RESPELT CUSTOMER ${i} LIMITED` : `respelt customer ${i} ltd.`));
      accounts.push(account(id(100 + i), `Respelt Customer ${i} Ltd`));
    }
    contacts.push(contact('f0', 'Formonly Customer'));
    accounts.push(account(id(200), 'Formonly Customer GmbH'));
    contacts.push(contact('a1', 'Twin Customer Ltd'), contact('a2', 'Twin Customer Limited'));
    accounts.push(account(id(300), 'Twin Customer Ltd'));
    for (let i = 0; i < 5; i++) accounts.push(account(id(400 + i), `Brand New Customer ${i}`));
    expect(contacts).toHaveLength(200);

    const outcomes = matchAccounts(accounts, contacts);
    const count = (kind: string) => outcomes.filter((o) => o.kind === kind).length;
    expect([count('linked'), count('review'), count('create')]).toEqual([48, 2, 5]);
    expect(outcomes.filter((o) => o.kind === 'review').map(summary)).toEqual([
      'review COMPANY_FORM_DIFFERS',
      'review AMBIGUOUS',
    ]);
    const linkedIds = outcomes.flatMap((o) => (o.kind === 'linked' ? [o.contactId] : []));
    expect(new Set(linkedIds).size).toBe(linkedIds.length);
  });
});
