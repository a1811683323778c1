/**
 * Countries and regions for billing-entity routing: ISO 3166-1 alpha-2 codes from an Account's billing country
 * (code or name), and the built-in regions (EU, EMEA, APAC, …) an entity's Countries field may name.
 */

export type RegionMap = Readonly<Record<string, readonly string[]>>;

// prettier-ignore
const EU = ['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU',
  'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'];
// prettier-ignore
const EUROPE = [...EU, 'AD', 'AL', 'BA', 'BY', 'CH', 'FO', 'GB', 'GG', 'GI', 'IM', 'IS', 'JE', 'LI', 'MC', 'MD', 'ME',
  'MK', 'NO', 'RS', 'RU', 'SM', 'UA', 'VA', 'XK'];
// prettier-ignore
const MIDDLE_EAST = ['AE', 'BH', 'IL', 'IQ', 'IR', 'JO', 'KW', 'LB', 'OM', 'PS', 'QA', 'SA', 'SY', 'TR', 'YE'];
// prettier-ignore
const AFRICA = ['AO', 'BF', 'BI', 'BJ', 'BW', 'CD', 'CF', 'CG', 'CI', 'CM', 'CV', 'DJ', 'DZ', 'EG', 'EH', 'ER', 'ET',
  'GA', 'GH', 'GM', 'GN', 'GQ', 'GW', 'KE', 'KM', 'LR', 'LS', 'LY', 'MA', 'MG', 'ML', 'MR', 'MU', 'MW', 'MZ', 'NA', 'NE',
  'NG', 'RE', 'RW', 'SC', 'SD', 'SH', 'SL', 'SN', 'SO', 'SS', 'ST', 'SZ', 'TD', 'TG', 'TN', 'TZ', 'UG', 'YT', 'ZA', 'ZM',
  'ZW'];
// prettier-ignore
const APAC = ['AU', 'BD', 'BN', 'BT', 'CN', 'FJ', 'FM', 'HK', 'ID', 'IN', 'JP', 'KH', 'KI', 'KR', 'LA', 'LK', 'MH', 'MM',
  'MN', 'MO', 'MV', 'MY', 'NC', 'NP', 'NR', 'NZ', 'PF', 'PG', 'PH', 'PK', 'PW', 'SB', 'SG', 'TH', 'TL', 'TO', 'TV', 'TW',
  'VN', 'VU', 'WS'];
const NORTH_AMERICA = ['US', 'CA'];
// prettier-ignore
const LATAM = ['AG', 'AR', 'BB', 'BO', 'BR', 'BS', 'BZ', 'CL', 'CO', 'CR', 'CU', 'DM', 'DO', 'EC', 'GD', 'GT', 'GY',
  'HN', 'HT', 'JM', 'KN', 'LC', 'MX', 'NI', 'PA', 'PE', 'PR', 'PY', 'SR', 'SV', 'TT', 'UY', 'VC', 'VE'];

/**
 * Built-in regions (ISO alpha-2 members). EU is the 27 member states (Greece as GR, not EL); EEA adds Iceland,
 * Liechtenstein and Norway; EMEA is Europe, the Middle East and Africa; AMER is North America plus LATAM (Latin
 * America and the Caribbean). NA means North America here (as a region, not Namibia's country code).
 * Anything else is passed in by the caller.
 */
export const BUILT_IN_REGIONS: RegionMap = {
  EU,
  EEA: [...EU, 'IS', 'LI', 'NO'],
  EUROPE,
  EMEA: [...EUROPE, ...MIDDLE_EAST, ...AFRICA],
  MIDDLE_EAST,
  AFRICA,
  APAC,
  ASIA_PACIFIC: APAC,
  ANZ: ['AU', 'NZ'],
  // UK and Ireland (with the Crown Dependencies), as sales teams name it.
  UKI: ['GB', 'IE', 'IM', 'JE', 'GG'],
  DACH: ['DE', 'AT', 'CH'],
  NORDICS: ['DK', 'FI', 'IS', 'NO', 'SE'],
  NORTH_AMERICA,
  NA: NORTH_AMERICA,
  LATAM,
  LATIN_AMERICA: LATAM,
  AMER: [...NORTH_AMERICA, ...LATAM],
  AMERICAS: [...NORTH_AMERICA, ...LATAM],
};

const COUNTRY_NAMES: Readonly<Record<string, string>> = {
  'UNITED KINGDOM': 'GB',
  UK: 'GB',
  'GREAT BRITAIN': 'GB',
  ENGLAND: 'GB',
  SCOTLAND: 'GB',
  WALES: 'GB',
  'NORTHERN IRELAND': 'GB',
  'UNITED STATES': 'US',
  'UNITED STATES OF AMERICA': 'US',
  USA: 'US',
  IRELAND: 'IE',
  GERMANY: 'DE',
  FRANCE: 'FR',
  SPAIN: 'ES',
  ITALY: 'IT',
  NETHERLANDS: 'NL',
  'THE NETHERLANDS': 'NL',
  BELGIUM: 'BE',
  AUSTRIA: 'AT',
  SWITZERLAND: 'CH',
  SWEDEN: 'SE',
  NORWAY: 'NO',
  DENMARK: 'DK',
  FINLAND: 'FI',
  POLAND: 'PL',
  PORTUGAL: 'PT',
  CANADA: 'CA',
  MEXICO: 'MX',
  BRAZIL: 'BR',
  AUSTRALIA: 'AU',
  'NEW ZEALAND': 'NZ',
  SINGAPORE: 'SG',
  JAPAN: 'JP',
  INDIA: 'IN',
  'SOUTH AFRICA': 'ZA',
  'HONG KONG': 'HK',
  'UNITED ARAB EMIRATES': 'AE',
};

/** ISO 3166-1 alpha-2 code for an Account's billing country, or undefined when it is blank or unrecognised. */
export function normaliseCountry(code?: string | null, name?: string | null): string | undefined {
  const fromCode = code?.trim().toUpperCase();
  if (fromCode && /^[A-Z]{2}$/.test(fromCode)) return fromCode === 'UK' ? 'GB' : fromCode;
  const fromName = name?.trim().toUpperCase().replace(/\s+/g, ' ');
  if (!fromName) return undefined;
  if (/^[A-Z]{2}$/.test(fromName)) return fromName === 'UK' ? 'GB' : fromName;
  return COUNTRY_NAMES[fromName];
}

/** The countries of a region: the caller's map first, then the built-in regions. */
export function regionCountries(region: string, regions: RegionMap): readonly string[] | undefined {
  return regions[region] ?? BUILT_IN_REGIONS[region];
}
