/**
 * The org's state machine: schema-checked DML with triggers and the package's validation rules, transactions
 * (all-or-none, savepoints), record locks, platform-event publishing after commit, and the standard objects' built-in
 * behaviour (opportunity stages, line item pricing, names, auto-numbers). REST, SOQL and the Apex mirrors in org/ all
 * go through this class.
 */
import { randomUUID, createHash } from 'node:crypto';
import Big from 'big.js';
import { UserAccess } from './access';
import type { Clock } from './clock';
import { notFound, SalesforceError } from './errors';
import { checkValue, coerce, formatDate, formatDateTime } from './field-values';
import { makeId, normalizeId } from './ids';
import { EXACT, sameValueRule } from './record-keys';
import { checkFormula, evaluateFormula, parseFormula, type FormulaEnv } from './schema/formula';
import { qualify, resolveFieldPath } from './schema/metadata-loader';
import { OPPORTUNITY_STAGES } from './schema/standard-objects';
import { checkSchedule, lineFromSchedules } from './org/product-schedules';
import { checkDatedRate, expectedRevenue, nextStartDate } from './org/currency-rates';
import type { FieldAccess, FieldDef, ObjectAccess, ObjectDef, Schema } from './schema/types';
import type { KeyRule, RecordStore, SRecord, StoredEvent } from './store';

export interface DmlContext {
  userId: string;
  /** the approval process's own field updates write the record they lock (system context) */
  bypassLocks?: boolean;
  /** `Sforce-Call-Options: defaultNamespace=` lets callers omit the package prefix */
  defaultNamespace?: string;
  /**
   * A workflow or approval field update: the platform does not run custom validation rules again for it (order of
   * execution), so the emulator does not either.
   */
  fieldUpdate?: boolean;
  /** a REST API write (sObject rows, Collections, Composite): the only kind injected row-lock faults reach */
  api?: boolean;
}

/** Consulted as a REST write takes a record's row lock (faults.ts RowLockFaults): the error when it cannot. */
export type RowLockFault = (def: ObjectDef, record: SRecord, rowId: string) => SalesforceError | undefined;

export interface TriggerHandler {
  /** object name as the package writes it (without namespace) */
  object: string;
  beforeInsert?(news: SRecord[], ctx: DmlContext): void;
  afterInsert?(news: SRecord[], ctx: DmlContext): void;
  beforeUpdate?(olds: SRecord[], news: SRecord[], ctx: DmlContext): void;
  afterUpdate?(olds: SRecord[], news: SRecord[], ctx: DmlContext): void;
}

export const EVENT_RETENTION_MS = 72 * 3_600_000;

const LOCKED_MESSAGE = 'This record is locked. If you need to edit it, contact your admin.';

export interface OrgOptions {
  schema: Schema;
  store: RecordStore;
  clock: Clock;
  orgId?: string;
  /**
   * The package's active validation rules refuse saves (default on, as in an org). Off only for a caller that must
   * write what an org would refuse; nothing in the project turns it off.
   */
  enforceValidationRules?: boolean;
  /**
   * REST calls are held to the calling user's object permissions and field-level security (default on, as in an org)
   * where the emulator models the user's profile whole (access.ts knowsAccessOf: the integration user's API-only
   * profile, System Administrator). Off only for a test that needs a lenient org, and it says why.
   */
  enforceUserAccess?: boolean;
}

/** What the API lets one user do: object permissions and field-level security (access.ts). */
export interface ApiAccess {
  object(def: ObjectDef): ObjectAccess;
  field(def: ObjectDef, field: FieldDef): FieldAccess;
}

const INSUFFICIENT_ACCESS = (): SalesforceError =>
  new SalesforceError(400, 'INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id', []);

export class SalesforceOrg {
  readonly schema: Schema;
  readonly store: RecordStore;
  readonly clock: Clock;
  readonly orgId: string;
  /** each user's profile and permission sets (assignments are not packageable: seed data) */
  readonly access: UserAccess;
  readonly enforceValidationRules: boolean;
  readonly enforceUserAccess: boolean;
  private readonly triggers: TriggerHandler[] = [];
  private readonly eventListeners = new Set<(event: StoredEvent) => void>();
  private pendingEvents: StoredEvent['data'][] = [];
  private pendingChannels: string[] = [];
  private txDepth = 0;
  /** Injected row-lock contention (set by the server's fault controls). */
  rowLockFault: RowLockFault | undefined;
  /** The DML of many records running now (dmlChunk): what its triggers gathered to do once, at its end. */
  private chunk:
    { gathered: { key: string; item: unknown }[]; flushers: Map<string, (items: unknown[]) => void> } | undefined;

  constructor(options: OrgOptions) {
    this.schema = options.schema;
    this.store = options.store;
    this.clock = options.clock;
    this.orgId = options.orgId ?? makeId('00D', 1);
    this.access = new UserAccess(options.schema.permissionSets);
    this.enforceValidationRules = options.enforceValidationRules !== false;
    this.enforceUserAccess = options.enforceUserAccess !== false;
  }

  get namespace(): string {
    return this.schema.namespace;
  }

  /** The org's name for a package name: `Invoice__c` -> `ldgr__Invoice__c` when namespaced. */
  n(name: string): string {
    return qualify(name, this.schema.namespace);
  }

  // ---- schema lookups ----------------------------------------------------------------------------------------

  findObject(name: string, defaultNamespace?: string): ObjectDef | undefined {
    const direct = this.schema.objects.get(name.toLowerCase());
    if (direct) return direct;
    if (defaultNamespace) return this.schema.objects.get(qualify(name, defaultNamespace).toLowerCase());
    return undefined;
  }

  object(name: string, defaultNamespace?: string): ObjectDef {
    const def = this.findObject(name, defaultNamespace);
    if (!def) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return def;
  }

  findField(def: ObjectDef, name: string, defaultNamespace?: string): FieldDef | undefined {
    return (
      def.fields.get(name.toLowerCase()) ??
      (defaultNamespace ? def.fields.get(qualify(name, defaultNamespace).toLowerCase()) : undefined)
    );
  }

  private prefixes: { size: number; byPrefix: Map<string, ObjectDef> } | undefined;

  objectForId(id: string): ObjectDef | undefined {
    // The first object with the prefix, as a scan of the schema would find it (rebuilt if the schema grows).
    if (this.prefixes?.size !== this.schema.objects.size) {
      const byPrefix = new Map<string, ObjectDef>();
      for (const def of this.schema.objects.values())
        if (!byPrefix.has(def.keyPrefix)) byPrefix.set(def.keyPrefix, def);
      this.prefixes = { size: this.schema.objects.size, byPrefix };
    }
    return this.prefixes.byPrefix.get(id.slice(0, 3));
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  /** Live (not deleted) records of an object; `includeDeleted` is queryAll. */
  records(def: ObjectDef, includeDeleted = false): SRecord[] {
    if (def.kind === 'metadata') return this.metadataRecords(def);
    const rows = [...this.store.table(def.name).values()];
    return includeDeleted ? rows : rows.filter((r) => !r.IsDeleted);
  }

  /**
   * Live (or all) records whose `field` keys by `rule` to one of `keys`, in table order: an indexed superset of the
   * records a comparison of that field could match (record-keys.ts); the caller still compares.
   */
  recordsByKey(
    def: ObjectDef,
    field: string,
    rule: KeyRule,
    keys: Iterable<string>,
    includeDeleted = false,
  ): SRecord[] {
    if (def.kind === 'metadata') return this.metadataRecords(def);
    const rows = this.store.lookup(def.name, field, rule, keys);
    return includeDeleted ? rows : rows.filter((r) => !r.IsDeleted);
  }

  /** Live records whose `field` is sameValue as `value` (external ids, unique fields), in table order. */
  private recordsWithSameValue(def: ObjectDef, field: FieldDef, value: unknown): SRecord[] {
    const rule = sameValueRule(field);
    const key = rule.keyOf(value);
    if (key === undefined) return [];
    const candidates = typeof key === 'string' ? this.recordsByKey(def, field.name, rule, [key]) : this.records(def);
    return candidates.filter((r) => sameValue(field, r[field.name], value));
  }

  /** Live records of `def` whose `field` holds exactly `id` (a parent's children). */
  private childrenOf(def: ObjectDef, field: string, id: string): SRecord[] {
    return this.recordsByKey(def, field, EXACT, [id]).filter((r) => r[field] === id);
  }

  private metadataRecords(def: ObjectDef): SRecord[] {
    const rows = this.schema.customMetadata.get(def.name) ?? [];
    return rows.map((r) => {
      const { __seq, ...rest } = r as Record<string, unknown> & { __seq: number };
      return { ...rest, Id: makeId(def.keyPrefix, __seq + 1) } as SRecord;
    });
  }

  get(def: ObjectDef, id: string): SRecord | undefined {
    const full = normalizeId(id);
    if (!full) return undefined;
    if (def.kind === 'metadata') return this.metadataRecords(def).find((r) => r.Id === full);
    const rec = this.store.get(def.name, full);
    return rec && !rec.IsDeleted ? rec : undefined;
  }

  getAny(id: string): { def: ObjectDef; record: SRecord } | undefined {
    const full = normalizeId(id);
    const def = full ? this.objectForId(full) : undefined;
    const record = def && full ? this.get(def, full) : undefined;
    return def && record ? { def, record } : undefined;
  }

  /** A field's value as the API shows it: roll-up summaries and formulas computed. */
  valueOf(def: ObjectDef, record: SRecord, field: FieldDef): unknown {
    if (field.summary) return this.rollUp(record, field);
    if (field.formula) return this.formulaValue(def, record, field);
    // Derived by the platform on read: whatever last changed Amount or Probability.
    if (def.name === 'DatedConversionRate' && field.name === 'NextStartDate') return nextStartDate(this, record);
    if (def.name === 'Opportunity' && field.name === 'ExpectedRevenue') return expectedRevenue(record);
    const v = record[field.name];
    return v === undefined ? null : v;
  }

  private readonly formulas = new Map<string, ReturnType<typeof parseFormula>>();

  private formulaValue(def: ObjectDef, record: SRecord, field: FieldDef): unknown {
    const key = `${def.name}.${field.name}`;
    if (!this.formulas.has(key)) {
      // A formula the emulator cannot read is an error, not a blank: a blank would pass tests the org would fail.
      try {
        const ast = parseFormula(field.formula!);
        checkFormula(ast, { validationRule: false });
        this.formulas.set(key, ast);
      } catch (err) {
        throw new Error(`formula of ${key} is not supported by the emulator: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    const ast = this.formulas.get(key)!;
    try {
      const v = evaluateFormula(ast, this.formulaEnv(def, record, !!field.blankAsZero));
      if (v === null) return null;
      if (typeof v === 'object') return field.type === 'datetime' ? formatDateTime(v.date) : formatDate(v.date);
      if (typeof v === 'number') return Number(new Big(v).round(field.scale ?? 0, Big.roundHalfUp).toString());
      return v;
    } catch {
      return null;
    }
  }

  /**
   * What a formula reads of a record: its fields (formula text in source format names package fields without the
   * namespace) and its parents' through lookups (`Parent__r.Field__c`), as the API shows them.
   */
  private formulaEnv(def: ObjectDef, record: SRecord, blankAsZero: boolean): FormulaEnv {
    const resolve = (path: string) => resolveFieldPath(this.schema.objects, def, path, this.namespace);
    return {
      field: (path) => {
        const target = resolve(path);
        if (!target) return undefined;
        let current: SRecord | undefined = record;
        for (const hop of target.hops) {
          const id: unknown = current?.[hop.field.name];
          current = typeof id === 'string' ? this.get(hop.parent, id) : undefined;
        }
        return current ? this.valueOf(target.object, current, target.field) : null;
      },
      isDate: (path) => ['date', 'datetime'].includes(resolve(path)?.field.type ?? ''),
      now: this.clock.now(),
      blankAsZero,
    };
  }

  private rollUp(record: SRecord, field: FieldDef): unknown {
    const s = field.summary!;
    const child = this.findObject(s.childObject);
    if (!child) return null;
    const rows = this.childrenOf(child, s.foreignKey, record.Id);
    if (s.operation === 'count') return rows.length;
    const values = rows.map((r) => r[s.childField]).filter((v): v is number => typeof v === 'number');
    if (s.operation === 'sum')
      return Number(values.reduce((acc, v) => acc.plus(v), new Big(0)).toFixed(field.scale ?? 2));
    if (values.length === 0) return null;
    return s.operation === 'min' ? Math.min(...values) : Math.max(...values);
  }

  // ---- users, currencies, settings --------------------------------------------------------------------------

  userByUsername(username: string): SRecord | undefined {
    return this.records(this.object('User')).find((u) => String(u.Username).toLowerCase() === username.toLowerCase());
  }

  /** A user given as id or username. */
  resolveUser(user: string): SRecord {
    const byId = normalizeId(user) ? this.get(this.object('User'), user) : undefined;
    const found = byId ?? this.userByUsername(user);
    if (!found) throw new SalesforceError(404, 'NOT_FOUND', `No such user: ${user}`);
    return found;
  }

  private usernameOf(userId: string): string | undefined {
    const user = this.get(this.object('User'), userId);
    return user ? String(user.Username) : undefined;
  }

  /** FeatureManagement.checkPermission for a user. */
  hasCustomPermission(userId: string, permission: string): boolean {
    const username = this.usernameOf(userId);
    return !!username && this.access.hasCustomPermission(username, permission);
  }

  /** What a user's profile and permission sets grant on an object (Schema.SObjectType.X.isCreateable() and kin). */
  objectAccess(userId: string, objectName: string): ObjectAccess {
    const def = this.object(objectName);
    return this.access.objectAccess(this.usernameOf(userId) ?? '', def.name, def.kind === 'standard');
  }

  /**
   * The object permissions and field-level security the REST API holds a user to, or undefined when it holds them to
   * none: enforcement off, or a user whose profile the emulator does not model (access.ts knowsAccessOf).
   */
  apiAccess(userId: string): ApiAccess | undefined {
    const username = this.usernameOf(userId);
    if (!this.enforceUserAccess || !username || !this.access.knowsAccessOf(username)) return undefined;
    return {
      object: (def) => this.access.apiObjectAccess(username, def),
      field: (def, field) => this.access.apiFieldAccess(username, def, field),
    };
  }

  /**
   * A REST write needs the object permission for it: an object the user cannot read is not there for them (as an
   * unknown type), one they read but may not write refuses the write.
   */
  private checkObjectPermission(def: ObjectDef, permission: 'create' | 'edit' | 'delete', ctx: DmlContext): void {
    const access = ctx.api ? this.apiAccess(ctx.userId) : undefined;
    if (!access) return;
    const granted = access.object(def);
    if (!granted.read && !(def.kind === 'event' && granted.create)) throw notFound();
    if (!granted[permission] && !granted.modifyAll) throw INSUFFICIENT_ACCESS();
  }

  activeCurrencies(): string[] {
    const rows = this.records(this.object('CurrencyType')).filter((c) => c.IsActive !== false);
    return rows.length ? rows.map((c) => String(c.IsoCode)) : ['GBP', 'USD', 'EUR'];
  }

  datedRates(): SRecord[] {
    return this.records(this.object('DatedConversionRate'));
  }

  corporateCurrency(): string {
    const corp = this.records(this.object('CurrencyType')).find((c) => c.IsCorporate);
    return corp ? String(corp.IsoCode) : 'GBP';
  }

  // ---- triggers, transactions, events ----------------------------------------------------------------------

  registerTrigger(handler: TriggerHandler): void {
    this.triggers.push(handler);
  }

  private handlersFor(def: ObjectDef): TriggerHandler[] {
    return this.triggers.filter((t) => this.n(t.object).toLowerCase() === def.name.toLowerCase());
  }

  onEvent(listener: (event: StoredEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Runs `fn` as one transaction: everything it wrote is undone if it throws; events go out only on commit. */
  transaction<T>(fn: () => T): T {
    const outer = this.txDepth === 0;
    const mark = this.savepoint();
    this.txDepth++;
    try {
      const result = fn();
      this.txDepth--;
      if (outer) this.commit();
      return result;
    } catch (err) {
      this.txDepth--;
      this.rollbackTo(mark);
      if (outer) this.store.commit();
      throw err;
    }
  }

  savepoint(): { mark: number; events: number; gathered: number } {
    return { mark: this.store.mark(), events: this.pendingEvents.length, gathered: this.chunk?.gathered.length ?? 0 };
  }

  rollbackTo(sp: { mark: number; events: number; gathered: number }): void {
    this.store.rollbackTo(sp.mark);
    this.pendingEvents.length = sp.events;
    this.pendingChannels.length = sp.events;
    if (this.chunk) this.chunk.gathered.length = Math.min(this.chunk.gathered.length, sp.gathered);
  }

  /**
   * Runs one DML of many records (an sObject Collection, a bulk save) as one transaction. Salesforce fires a trigger
   * once for up to 200 records, so what Apex does once per trigger run (InvoiceRequestPublisher.publish over the
   * records' requests) is gathered here record by record (gatherInChunk) and done once, at the end; a record rolled
   * back takes its part with it. (The emulator's triggers run record by record; their gathered parts join per key,
   * so two triggers of one chunk that publish are one publish here, not two.)
   */
  dmlChunk<T>(fn: () => T): T {
    if (this.chunk) return fn();
    const chunk: NonNullable<SalesforceOrg['chunk']> = { gathered: [], flushers: new Map() };
    this.chunk = chunk;
    try {
      return this.transaction(() => {
        const result = fn();
        this.chunk = undefined;
        const keys = [...new Set(chunk.gathered.map((g) => g.key))];
        for (const key of keys)
          chunk.flushers.get(key)!(chunk.gathered.filter((g) => g.key === key).map((g) => g.item));
        return result;
      });
    } finally {
      this.chunk = undefined;
    }
  }

  /** Inside dmlChunk: keeps `item` for one `flush` of the chunk's items of `key` at its end. Outside: flushes now. */
  gatherInChunk<T>(key: string, item: T, flush: (items: T[]) => void): void {
    if (!this.chunk) return flush([item]);
    this.chunk.gathered.push({ key, item });
    this.chunk.flushers.set(key, flush as (items: unknown[]) => void);
  }

  private commit(): void {
    const events = this.pendingEvents;
    const channels = this.pendingChannels;
    this.pendingEvents = [];
    this.pendingChannels = [];
    const published = events.map((data, i) => this.storeEvent(channels[i]!, data));
    this.pruneEvents();
    this.store.commit();
    for (const ev of published) for (const l of this.eventListeners) l(ev);
  }

  /** Gives an event its replay id and puts it in the log. */
  private storeEvent(channel: string, data: StoredEvent['data']): StoredEvent {
    const replayId = this.store.nextReplayId++;
    data.event.replayId = replayId;
    const stored: StoredEvent = { channel, replayId, publishedAt: this.clock.now(), data };
    this.store.events.push(stored);
    return stored;
  }

  /** Drops events older than their retention (72 h for high-volume events, 24 h for standard-volume ones). */
  pruneEvents(): void {
    const now = this.clock.now();
    const retention = (channel: string): number =>
      this.findObject(channel.slice('/event/'.length))?.event?.retentionMs ?? EVENT_RETENTION_MS;
    if (this.store.events.some((e) => e.publishedAt < now - retention(e.channel))) {
      this.store.events = this.store.events.filter((e) => e.publishedAt >= now - retention(e.channel));
    }
  }

  retainedEvents(channel: string): StoredEvent[] {
    this.pruneEvents();
    return this.store.events.filter((e) => e.channel === channel);
  }

  /** Publishes a platform event (EventBus.publish or POST /sobjects/X__e); it goes out when the transaction commits. */
  publish(eventName: string, fields: Record<string, unknown>, ctx: DmlContext): string {
    return this.transaction(() => this.insert(eventName, fields, ctx));
  }

  // ---- DML ----------------------------------------------------------------------------------------------------

  /** Resolves and coerces the writable fields of a request body. */
  private prepare(
    def: ObjectDef,
    input: Record<string, unknown>,
    mode: 'create' | 'update',
    ctx: DmlContext,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const readOnly: string[] = [];
    const access = ctx.api ? this.apiAccess(ctx.userId) : undefined;
    const noSuchColumn = (key: string) =>
      new SalesforceError(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${def.name}`);
    for (const [key, raw] of Object.entries(input)) {
      if (key === 'attributes' || (mode === 'update' && key.toLowerCase() === 'id')) continue;
      const field = this.findField(def, key, ctx.defaultNamespace);
      if (!field) {
        const rel = [...def.fields.values()].find((f) => f.relationshipName?.toLowerCase() === key.toLowerCase());
        if (rel && raw && typeof raw === 'object') {
          if (access && !access.field(def, rel).read) throw noSuchColumn(key);
          if (access && !access.field(def, rel).edit) readOnly.push(rel.name);
          else out[rel.name] = this.resolveForeignKey(rel, raw as Record<string, unknown>, ctx);
          continue;
        }
        throw noSuchColumn(key);
      }
      // field-level security: a field the user cannot see is not there for them; one they only read is read-only
      const fls = access?.field(def, field);
      if (fls && !fls.read) throw noSuchColumn(key);
      if ((mode === 'create' ? !field.createable : !field.updateable) || (fls && !fls.edit)) {
        readOnly.push(field.name);
        continue;
      }
      out[field.name] = coerce(field, raw);
    }
    if (readOnly.length) {
      throw new SalesforceError(
        400,
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        readOnly,
      );
    }
    return out;
  }

  /** `"Invoice__r": {"Xero_Invoice_Id__c": "..."}` in a body: a parent given by its external id. */
  private resolveForeignKey(field: FieldDef, ref: Record<string, unknown>, ctx: DmlContext): string {
    const parent = this.object(field.referenceTo?.[0] ?? '');
    const entries = Object.entries(ref).filter(([k]) => k !== 'attributes');
    const [key, value] = entries[0] ?? [];
    const ext = key ? this.findField(parent, key, ctx.defaultNamespace) : undefined;
    if (!ext || !(ext.externalId || ext.name === 'Id') || entries.length !== 1) {
      throw new SalesforceError(
        400,
        'INVALID_FIELD',
        `Foreign key external ID: ${String(value)} not found for field ${key ?? ''} in entity ${parent.name}`,
      );
    }
    const match = this.recordsWithSameValue(parent, ext, value);
    if (match.length !== 1) {
      throw new SalesforceError(
        400,
        'INVALID_FIELD',
        `Foreign key external ID: ${String(value)} not found for field ${ext.name} in entity ${parent.name}`,
      );
    }
    return match[0]!.Id;
  }

  /**
   * An approval lock (on the record, or on its master-detail parent, which locks its children) stops every user except
   * those with Modify All on the object or Modify All Data: Salesforce Help, "Specify Who Can Edit Locked Records in a
   * Classic Approval Process" (recordEditability AdminOnly, the only kind the emulator loads). For a child record the
   * emulator asks for Modify All on the child's own object, and it also refuses a new child under a locked parent:
   * the stricter readings, so what passes here passes in an org.
   */
  private checkLocked(def: ObjectDef, record: SRecord, ctx: DmlContext): void {
    if (ctx.bypassLocks) return;
    const locked =
      this.store.locks.has(record.Id) ||
      [...def.fields.values()].some(
        (f) => f.masterDetail && typeof record[f.name] === 'string' && this.store.locks.has(record[f.name] as string),
      );
    if (!locked || this.objectAccess(ctx.userId, def.name).modifyAll) return;
    throw new SalesforceError(400, 'ENTITY_IS_LOCKED', LOCKED_MESSAGE, []);
  }

  /**
   * A REST write waits for the rows it locks: the record, or for an insert its master-detail parent (else its first
   * lookup parent other than a user). An injected fault says another transaction held one too long.
   */
  private takeRowLock(def: ObjectDef, record: SRecord, ctx: DmlContext, inserted: boolean): void {
    if (!ctx.api || !this.rowLockFault) return;
    const parents = [...def.fields.values()].filter(
      (f) => f.referenceTo && !f.referenceTo.includes('User') && typeof record[f.name] === 'string',
    );
    const parent = parents.find((f) => f.masterDetail) ?? parents[0];
    const rowId = inserted && parent ? (record[parent.name] as string) : record.Id;
    const fault = this.rowLockFault(def, record, rowId);
    if (fault) throw fault;
  }

  /** Save-time validation: required fields, lengths, picklists, references, uniqueness. */
  private validate(def: ObjectDef, record: SRecord): void {
    const missing = [...def.fields.values()]
      .filter(
        (f) =>
          f.required &&
          (f.createable || f.masterDetail) &&
          (record[f.name] === null || record[f.name] === undefined || record[f.name] === ''),
      )
      .map((f) => f.name);
    if (missing.length) {
      throw new SalesforceError(
        400,
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${missing.join(', ')}]`,
        missing,
      );
    }
    for (const f of def.fields.values()) {
      const v = record[f.name];
      if (v === undefined || v === null) continue;
      const picklist = f.name === 'CurrencyIsoCode' ? this.activeCurrencies() : undefined;
      record[f.name] = checkValue(f, v, picklist);
      // audit fields are the system's; SetupOwnerId may point at the org itself
      if (f.type === 'reference' && f.createable && f.name !== 'SetupOwnerId') this.checkReference(f, v as string);
      if (f.unique) this.checkUnique(def, f, record);
    }
  }

  /**
   * The object's active validation rules, after the system checks as in the org's order of execution, on the record as
   * it would be saved (the old one merged with the changes; `old` is undefined on insert). The first rule whose
   * formula is true refuses the save with its message, on its errorDisplayField if it names one
   * (FIELD_CUSTOM_VALIDATION_EXCEPTION; an org reports every failing rule, the emulator the first: each of the
   * package's objects has one rule).
   */
  private checkValidationRules(def: ObjectDef, record: SRecord, old: SRecord | undefined, ctx: DmlContext): void {
    if (!this.enforceValidationRules || ctx.fieldUpdate) return;
    for (const rule of def.validationRules ?? []) {
      const env: FormulaEnv = {
        ...this.formulaEnv(def, record, false),
        save: { isNew: !old, prior: (path) => (old ? this.formulaEnv(def, old, false).field(path) : undefined) },
      };
      if (evaluateFormula(rule.ast, env) !== true) continue;
      throw new SalesforceError(
        400,
        'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        rule.errorMessage,
        rule.errorDisplayField ? [rule.errorDisplayField] : [],
      );
    }
  }

  private checkReference(f: FieldDef, id: string): void {
    const target = this.objectForId(id);
    if (!target || !(f.referenceTo ?? []).some((t) => t.toLowerCase() === target.name.toLowerCase())) {
      throw new SalesforceError(400, 'FIELD_INTEGRITY_EXCEPTION', `${f.label}: id value of incorrect type: ${id}`, [
        f.name,
      ]);
    }
    const rec = this.store.get(target.name, id);
    if (!rec) throw new SalesforceError(400, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [f.name]);
    if (rec.IsDeleted) throw new SalesforceError(400, 'ENTITY_IS_DELETED', 'entity is deleted', [f.name]);
  }

  private checkUnique(def: ObjectDef, f: FieldDef, record: SRecord): void {
    const v = record[f.name];
    const clash = this.recordsWithSameValue(def, f, v).find((r) => r.Id !== record.Id);
    if (clash) {
      throw new SalesforceError(
        400,
        'DUPLICATE_VALUE',
        `duplicate value found: ${f.name} duplicates value on record with id: ${clash.Id}`,
        [],
      );
    }
  }

  private stamp(record: Record<string, unknown>, userId: string, created: boolean): void {
    const now = formatDateTime(this.clock.now());
    if (created) {
      record.CreatedDate = now;
      record.CreatedById = userId;
      record.IsDeleted = false;
    }
    record.LastModifiedDate = now;
    record.LastModifiedById = userId;
    record.SystemModstamp = now;
  }

  insert(objectName: string, input: Record<string, unknown>, ctx: DmlContext): string {
    const def = this.object(objectName, ctx.defaultNamespace);
    if (def.kind === 'metadata') {
      throw new SalesforceError(400, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be inserted: ${def.name}`);
    }
    this.checkObjectPermission(def, 'create', ctx);
    return this.transaction(() => {
      const values = this.prepare(def, input, 'create', ctx);
      if (def.kind === 'event') return this.enqueueEvent(def, values, ctx);
      const record: SRecord = { Id: makeId(def.keyPrefix, this.store.nextSequence(def.keyPrefix)) };
      for (const f of def.fields.values()) {
        if (f.defaultValue !== undefined && f.createable) record[f.name] = f.defaultValue;
        if (f.picklist?.defaultValue && f.createable) record[f.name] = f.picklist.defaultValue;
      }
      Object.assign(record, values);
      this.checkLocked(def, record, ctx);
      this.takeRowLock(def, record, ctx, true);
      if (def.fields.has('ownerid') && !record.OwnerId) record.OwnerId = ctx.userId;
      this.stamp(record, ctx.userId, true);
      this.deriveStandard(def, record, undefined);
      for (const h of this.handlersFor(def)) h.beforeInsert?.([record], ctx);
      this.validate(def, record);
      this.checkValidationRules(def, record, undefined, ctx);
      this.store.put(def.name, record);
      this.afterWrite(def, record);
      for (const h of this.handlersFor(def)) h.afterInsert?.([{ ...record }], ctx);
      return record.Id;
    });
  }

  update(objectName: string, id: string, input: Record<string, unknown>, ctx: DmlContext): void {
    const def = this.object(objectName, ctx.defaultNamespace);
    const old = this.get(def, id);
    if (!old) throw notFound();
    if (def.kind === 'metadata')
      throw new SalesforceError(400, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be updated: ${def.name}`);
    this.checkObjectPermission(def, 'edit', ctx);
    this.transaction(() => {
      const values = this.prepare(def, input, 'update', ctx);
      this.checkLocked(def, old, ctx);
      const record: SRecord = { ...old, ...values, Id: old.Id };
      this.takeRowLock(def, record, ctx, false);
      this.stamp(record, ctx.userId, false);
      this.deriveStandard(def, record, old);
      for (const h of this.handlersFor(def)) h.beforeUpdate?.([old], [record], ctx);
      this.validate(def, record);
      this.checkValidationRules(def, record, old, ctx);
      this.store.put(def.name, record);
      this.afterWrite(def, record);
      for (const h of this.handlersFor(def)) h.afterUpdate?.([old], [{ ...record }], ctx);
    });
  }

  delete(objectName: string, id: string, ctx: DmlContext): void {
    const def = this.object(objectName, ctx.defaultNamespace);
    const old = this.get(def, id);
    if (!old) {
      const gone = this.store.get(def.name, normalizeId(id) ?? id);
      throw gone ? new SalesforceError(404, 'ENTITY_IS_DELETED', 'entity is deleted') : notFound();
    }
    this.checkObjectPermission(def, 'delete', ctx);
    this.transaction(() => {
      this.checkLocked(def, old, ctx);
      this.takeRowLock(def, old, ctx, false);
      this.cascadeDelete(def, old);
      this.afterWrite(def, old);
    });
  }

  private cascadeDelete(def: ObjectDef, record: SRecord): void {
    this.store.put(def.name, { ...record, IsDeleted: true });
    for (const rel of def.childRelationships) {
      if (!rel.cascadeDelete) continue;
      const child = this.object(rel.childObject);
      for (const r of this.childrenOf(child, rel.field, record.Id)) this.cascadeDelete(child, r);
    }
  }

  /**
   * Upsert by external id: 0 matches inserts, 1 updates, more is an error (REST answers 300).
   * `values` must not contain the external id field (jsforce strips it from the body).
   */
  upsert(
    objectName: string,
    extField: string,
    extValue: unknown,
    input: Record<string, unknown>,
    ctx: DmlContext,
  ): { id: string; created: boolean } {
    const def = this.object(objectName, ctx.defaultNamespace);
    const field = this.findField(def, extField, ctx.defaultNamespace);
    if (!field || !(field.externalId || field.name === 'Id')) {
      throw new SalesforceError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${extField}`,
      );
    }
    const matches = this.recordsWithSameValue(def, field, extValue);
    if (matches.length > 1) {
      throw Object.assign(
        new SalesforceError(
          300,
          'DUPLICATE_EXTERNAL_ID',
          `${field.name}: more than one record found for external id field: [${matches.map((m) => m.Id).join(', ')}]`,
          [field.name],
        ),
        { matches: matches.map((m) => m.Id) },
      );
    }
    const body = { ...input };
    for (const k of Object.keys(body)) if (k.toLowerCase() === field.name.toLowerCase()) delete body[k];
    if (matches[0]) {
      this.update(def.name, matches[0].Id, body, ctx);
      return { id: matches[0].Id, created: false };
    }
    if (field.name === 'Id') throw notFound();
    return { id: this.insert(def.name, { ...body, [field.name]: extValue }, ctx), created: true };
  }

  // ---- locks ----------------------------------------------------------------------------------------------

  lock(id: string): void {
    this.store.locks.add(id);
    this.store.persist();
  }

  unlock(id: string): void {
    this.store.locks.delete(id);
    this.store.persist();
  }

  isLocked(id: string): boolean {
    return this.store.locks.has(normalizeId(id) ?? id);
  }

  // ---- internals ------------------------------------------------------------------------------------------

  private enqueueEvent(def: ObjectDef, values: Record<string, unknown>, ctx: DmlContext): string {
    const record: SRecord = { Id: makeId(def.keyPrefix, this.store.nextSequence(def.keyPrefix)), ...values };
    this.validate(def, record);
    const payload: Record<string, unknown> = {};
    for (const f of def.fields.values()) if (f.custom) payload[f.name] = record[f.name] ?? null;
    payload.CreatedDate = formatDateTime(this.clock.now());
    payload.CreatedById = ctx.userId;
    const data = { schema: schemaId(def), payload, event: { EventUuid: randomUUID(), replayId: 0 } };
    if (def.event?.publishImmediately) {
      // PublishImmediately: out now, whatever happens to the transaction
      const ev = this.storeEvent(`/event/${def.name}`, data);
      this.store.persist();
      for (const l of this.eventListeners) l(ev);
      return record.Id;
    }
    this.pendingEvents.push(data);
    this.pendingChannels.push(`/event/${def.name}`);
    return record.Id;
  }

  /** Standard-object behaviour the platform (not the package) provides. */
  private deriveStandard(def: ObjectDef, record: SRecord, old: SRecord | undefined): void {
    for (const f of def.fields.values()) {
      if (f.autoNumber && !record[f.name])
        record[f.name] = autoNumber(
          f.autoNumber.format,
          this.store.nextSequence(`${def.name}.${f.name}`),
          this.clock.now(),
        );
    }
    if (def.fields.has('currencyisocode') && !record.CurrencyIsoCode) {
      const parentField = [...def.fields.values()].find((f) => f.masterDetail && record[f.name]);
      const parent = parentField ? this.getAny(record[parentField.name] as string) : undefined;
      record.CurrencyIsoCode = (parent?.record.CurrencyIsoCode as string | undefined) ?? this.corporateCurrency();
    }
    if (def.name === 'Contact' || def.name === 'User') {
      record.Name = [record.FirstName, record.LastName].filter(Boolean).join(' ');
    }
    if (def.name === 'Opportunity') {
      const stage = OPPORTUNITY_STAGES[String(record.StageName)];
      if (stage) {
        record.IsClosed = stage[0];
        record.IsWon = stage[1];
        if (!old || old.StageName !== record.StageName) record.Probability = stage[2];
        record.ForecastCategoryName = stage[1] ? 'Closed' : stage[0] ? 'Omitted' : 'Pipeline';
      }
      if (record.HasOpportunityLineItem === undefined) record.HasOpportunityLineItem = false;
    }
    if (def.name === 'PricebookEntry') this.derivePricebookEntry(record);
    if (def.name === 'OpportunityLineItem') this.deriveLineItem(record, old);
    if (def.name === 'OpportunityLineItemSchedule') checkSchedule(this, record);
    if (def.name === 'DatedConversionRate') checkDatedRate(this, record);
  }

  private derivePricebookEntry(record: SRecord): void {
    const product = this.getAny(String(record.Product2Id ?? ''));
    if (product) {
      record.Name = product.record.Name;
      record.ProductCode = product.record.ProductCode ?? null;
    }
    const clash = this.records(this.object('PricebookEntry')).find(
      (p) =>
        p.Id !== record.Id &&
        p.Pricebook2Id === record.Pricebook2Id &&
        p.Product2Id === record.Product2Id &&
        p.CurrencyIsoCode === record.CurrencyIsoCode,
    );
    if (clash) {
      throw new SalesforceError(400, 'DUPLICATE_VALUE', `This price definition already exists in this price book`, []);
    }
  }

  private deriveLineItem(record: SRecord, old: SRecord | undefined): void {
    const opp = this.getAny(String(record.OpportunityId ?? ''));
    if (!old) {
      let pbe = record.PricebookEntryId ? this.getAny(String(record.PricebookEntryId)) : undefined;
      if (!pbe && record.Product2Id && opp) {
        const pbId = opp.record.Pricebook2Id ?? this.records(this.object('Pricebook2')).find((p) => p.IsStandard)?.Id;
        const found = this.records(this.object('PricebookEntry')).find(
          (p) =>
            p.Pricebook2Id === pbId &&
            p.Product2Id === record.Product2Id &&
            p.CurrencyIsoCode === opp.record.CurrencyIsoCode,
        );
        if (found) pbe = { def: this.object('PricebookEntry'), record: found };
      }
      if (!pbe)
        throw new SalesforceError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [PricebookEntryId]', [
          'PricebookEntryId',
        ]);
      if (opp && pbe.record.CurrencyIsoCode !== opp.record.CurrencyIsoCode) {
        throw new SalesforceError(
          400,
          'FIELD_INTEGRITY_EXCEPTION',
          'field integrity exception: PricebookEntryId (pricebook entry currency code does not match opportunity currency code)',
          ['PricebookEntryId'],
        );
      }
      if (opp && opp.record.Pricebook2Id && opp.record.Pricebook2Id !== pbe.record.Pricebook2Id) {
        throw new SalesforceError(
          400,
          'FIELD_INTEGRITY_EXCEPTION',
          'field integrity exception: PricebookEntryId (pricebook entry is in a different pricebook than the one assigned to the opportunity)',
          ['PricebookEntryId'],
        );
      }
      record.PricebookEntryId = pbe.record.Id;
      record.Product2Id = pbe.record.Product2Id;
      record.ListPrice = pbe.record.UnitPrice;
      record.ProductCode = pbe.record.ProductCode ?? null;
      const product = this.getAny(String(pbe.record.Product2Id));
      record.CanUseRevenueSchedule = product?.record.CanUseRevenueSchedule === true;
      record.CanUseQuantitySchedule = product?.record.CanUseQuantitySchedule === true;
      record.HasRevenueSchedule = record.HasQuantitySchedule = record.HasSchedule = false;
      record.Name = `${String(opp?.record.Name ?? '')} ${String(product?.record.Name ?? '')}`.trim();
      if (
        record.UnitPrice !== undefined &&
        record.UnitPrice !== null &&
        record.TotalPrice !== undefined &&
        record.TotalPrice !== null
      ) {
        throw new SalesforceError(
          400,
          'FIELD_INTEGRITY_EXCEPTION',
          'field integrity exception: TotalPrice (only one of unit price or total price may be specified)',
          ['TotalPrice'],
        );
      }
      if (opp && !opp.record.Pricebook2Id)
        this.store.put('Opportunity', { ...opp.record, Pricebook2Id: pbe.record.Pricebook2Id });
      if (opp) record.CurrencyIsoCode = opp.record.CurrencyIsoCode;
    }
    const qty = typeof record.Quantity === 'number' ? new Big(record.Quantity) : undefined;
    const totalGiven =
      record.TotalPrice !== null && record.TotalPrice !== undefined && (!old || record.TotalPrice !== old.TotalPrice);
    if (qty && totalGiven && qty.gt(0)) {
      record.UnitPrice = Number(new Big(record.TotalPrice as number).div(qty).round(2, Big.roundHalfUp).toFixed(2));
    } else if (qty && typeof record.UnitPrice === 'number') {
      let total = qty.times(record.UnitPrice);
      if (typeof record.Discount === 'number') total = total.times(new Big(100).minus(record.Discount)).div(100);
      record.TotalPrice = Number(total.round(2, Big.roundHalfUp).toFixed(2));
    }
  }

  /** Opportunity.Amount follows its line items, as it does in an org once products are added. */
  private afterWrite(def: ObjectDef, record: SRecord): void {
    if (def.name === 'OpportunityLineItemSchedule') {
      const lineDef = this.object('OpportunityLineItem');
      const line = this.get(lineDef, String(record.OpportunityLineItemId));
      if (!line) return;
      const schedules = this.childrenOf(def, 'OpportunityLineItemId', line.Id);
      const next = lineFromSchedules(line, schedules);
      this.store.put(lineDef.name, next);
      this.afterWrite(lineDef, next);
      return;
    }
    if (def.name !== 'OpportunityLineItem') return;
    const opp = this.store.get('Opportunity', String(record.OpportunityId));
    if (!opp || opp.IsDeleted) return;
    const lines = this.childrenOf(def, 'OpportunityId', opp.Id);
    const amount = lines.reduce((acc, l) => acc.plus((l.TotalPrice as number) ?? 0), new Big(0));
    this.store.put('Opportunity', {
      ...opp,
      Amount: lines.length ? Number(amount.toFixed(2)) : opp.Amount,
      HasOpportunityLineItem: lines.length > 0,
    });
  }
}

export function sameValue(field: FieldDef, a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  if (field.type === 'id' || field.type === 'reference') return normalizeId(a) === normalizeId(b);
  if (typeof a === 'string' && typeof b === 'string' && !field.caseSensitive)
    return a.toLowerCase() === b.toLowerCase();
  return String(a) === String(b);
}

/** `INV-{00000}`, `{YYYY}-{MM}-{0}` display formats. */
function autoNumber(format: string, n: number, now: number): string {
  const d = new Date(now);
  return format
    .replace(/\{YYYY\}/g, String(d.getUTCFullYear()))
    .replace(/\{YY\}/g, String(d.getUTCFullYear()).slice(2))
    .replace(/\{MM\}/g, String(d.getUTCMonth() + 1).padStart(2, '0'))
    .replace(/\{DD\}/g, String(d.getUTCDate()).padStart(2, '0'))
    .replace(/\{(0+)\}/g, (_m, zeros: string) => String(n).padStart(zeros.length, '0'));
}

/** A stable schema id per event definition (Salesforce sends a hash of the Avro schema). */
function schemaId(def: ObjectDef): string {
  const names = [...def.fields.values()].map((f) => `${f.name}:${f.type}`).join(',');
  return createHash('sha256').update(names).digest('base64url').slice(0, 22);
}
