/**
 * Name, email and identifier normalisation for contact matching (contact-matching.ts). A name becomes two keys:
 * - `exact`: the same name however it is written: case, spacing, punctuation (`A.B.C.` = `ABC`, `Coca-Cola` =
 *   `Coca Cola`), diacritics (`Société` = `Societe`), `&` = `and`, and the spelling of its company form
 *   (`Ltd` = `Ltd.` = `Limited`). Two names with the same exact key are one name: they link.
 * - `core`: the name without its company forms and without a leading "The" (`Acme`, `Acme Ltd`, `Acme GmbH` and
 *   `The Acme Ltd` share the core `acme`). A core-only match may be two legal entities: it goes to review.
 *
 * Company forms recognised at the end of a name (several may follow each other, `GmbH & Co. KG`), each with the
 * spellings that mean the same form: {@link COMPANY_FORMS}.
 */
import { toEighteenCharId } from './contact';

/** Canonical company form → the spellings (as normalised tokens) that mean it. Longest spellings are tried first. */
export const COMPANY_FORMS: Readonly<Record<string, readonly string[]>> = {
  'pty ltd': ['pty ltd', 'pty limited', 'proprietary limited', 'proprietary ltd'],
  pty: ['pty', 'proprietary'],
  ltd: ['ltd', 'limited'],
  plc: ['plc', 'public limited company'],
  llc: ['llc', 'limited liability company'],
  llp: ['llp', 'limited liability partnership'],
  lp: ['lp', 'limited partnership'],
  inc: ['inc', 'incorporated'],
  corp: ['corp', 'corporation'],
  co: ['co', 'company'],
  gmbh: ['gmbh'],
  ag: ['ag'],
  kg: ['kg'],
  bv: ['bv'],
  nv: ['nv'],
  sa: ['sa'],
  sas: ['sas'],
  sarl: ['sarl'],
  srl: ['srl'],
  spa: ['spa'],
  ab: ['ab'],
  as: ['as'],
  aps: ['aps'],
  oy: ['oy'],
};

const SPELLINGS: readonly { form: string; tokens: string[] }[] = Object.entries(COMPANY_FORMS)
  .flatMap(([form, spellings]) => spellings.map((spelling) => ({ form, tokens: spelling.split(' ') })))
  .sort((a, b) => b.tokens.length - a.tokens.length);

// Letters NFKD does not decompose.
const FOLD: Readonly<Record<string, string>> = { ß: 'ss', æ: 'ae', ø: 'o', œ: 'oe', ł: 'l', đ: 'd', þ: 'th' };

/** Lower case, no diacritics, `&` as "and", punctuation inside a word dropped (B.V., A/S, O'Brien), the rest spaces. */
export function nameTokens(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæøœłđþ]/g, (c) => FOLD[c] ?? c)
    .replace(/&/g, ' and ')
    .replace(/[.'’/]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((token) => token !== '');
}

export interface NameKeys {
  /** Same name, however written (links). */
  exact: string;
  /** Same name apart from the company form or a leading "The" (review). Empty when the name is only a form. */
  core: string;
  /** Canonical company forms found at the end, in order. */
  forms: string[];
}

/** The keys of a name, or undefined for a name with no letters or digits. */
export function nameKeys(name: string): NameKeys | undefined {
  const tokens = nameTokens(name);
  if (tokens.length === 0) return undefined;
  const forms: string[] = [];
  let end = tokens.length;
  for (;;) {
    const spelling = SPELLINGS.find(
      ({ tokens: t }) => t.length < end && t.every((token, i) => tokens[end - t.length + i] === token),
    );
    if (!spelling) break;
    forms.unshift(spelling.form);
    end -= spelling.tokens.length;
    // "GmbH & Co. KG": the "and" joining two forms is part of them.
    if (end > 1 && tokens[end - 1] === 'and' && forms.length > 0) end -= 1;
  }
  const body = tokens.slice(0, end);
  const core = (body[0] === 'the' && body.length > 1 ? body.slice(1) : body).join('');
  return { exact: `${body.join('')}|${forms.join(' ')}`, core, forms };
}

/** The index keys of a contact name: its exact key, and its core key for company-form-only matches. */
export function candidateNameKeys(name: string): { value: string; exact: boolean }[] {
  const keys = nameKeys(name);
  if (!keys) return [];
  return keys.core
    ? [
        { value: keys.exact, exact: true },
        { value: keys.core, exact: false },
      ]
    : [{ value: keys.exact, exact: true }];
}

/** An email address for comparison: trimmed, lower case; undefined when it is not an address. */
export function normaliseEmail(value: string | null | undefined): string | undefined {
  const email = value?.trim().toLowerCase();
  return email && /^[^\s@]+@[^\s@]+$/.test(email) ? email : undefined;
}

/** An account or tax number for comparison: letters and digits only, upper case (GB 123.456 78 → GB12345678). */
export function normaliseIdentifier(value: string | null | undefined): string | undefined {
  const key = value
    ?.normalize('NFKD')
    .replace(/[^\p{L}\p{N}]/gu, '')
    .toUpperCase();
  return key ? key : undefined;
}

/** A ContactNumber as an 18-character Account Id, or undefined when it is another system's number. */
export function accountIdKey(value: string | null | undefined): string | undefined {
  if (!value?.trim()) return undefined;
  try {
    return toEighteenCharId(value);
  } catch {
    return undefined; // a ContactNumber from another system
  }
}

/** A tax number with and without a 2-letter country prefix (GB123456789 and 123 4567 89 are the same VAT number). */
export function candidateTaxKeys(value: string | null | undefined): string[] {
  const key = normaliseIdentifier(value);
  if (!key) return [];
  return /^[A-Z]{2}\d/.test(key) ? [key, key.slice(2)] : [key];
}

/** True when two tax numbers are the same number (a country prefix on one side only is ignored). */
export const taxNumbersAgree = (a: string | null | undefined, b: string | null | undefined): boolean => {
  const left = candidateTaxKeys(a);
  return candidateTaxKeys(b).some((key) => left.includes(key));
};
